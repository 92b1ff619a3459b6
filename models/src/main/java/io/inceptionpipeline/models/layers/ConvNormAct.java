package io.inceptionpipeline.models.layers;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * Convolution without bias, BatchNorm, ReLU: timm's {@code ConvNormAct} (formerly {@code
 * BasicConv2d}), TF-slim's {@code conv2d} with {@code batch_norm}.
 *
 * <p>State-dict names follow timm: {@code conv.weight}, {@code bn.weight}, {@code bn.bias}, {@code
 * bn.running_mean}, {@code bn.running_var}. BatchNorm epsilon is 0.001 as in the TF release.
 */
public final class ConvNormAct extends AbstractBlock {

    /** BatchNorm epsilon of the TF-slim release, which timm keeps. */
    public static final float BN_EPSILON = 1e-3f;

    private final Conv2d conv;
    private final BatchNorm bn;
    private final boolean relu;

    ConvNormAct(int filters, Shape kernel, Shape stride, Shape padding, boolean relu) {
        this.conv =
                addChildBlock(
                        "conv",
                        Conv2d.builder()
                                .setFilters(filters)
                                .setKernelShape(kernel)
                                .optStride(stride)
                                .optPadding(padding)
                                .optBias(false)
                                .build());
        this.bn = addChildBlock("bn", BatchNorm.builder().optEpsilon(BN_EPSILON).build());
        this.relu = relu;
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDList x = conv.forward(ps, inputs, training);
        x = bn.forward(ps, x, training);
        return relu ? new NDList(Activation.relu(x.singletonOrThrow())) : x;
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return conv.getOutputShapes(inputShapes);
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputs) {
        conv.initialize(manager, dataType, inputs);
        bn.initialize(manager, dataType, conv.getOutputShapes(inputs));
    }
}
