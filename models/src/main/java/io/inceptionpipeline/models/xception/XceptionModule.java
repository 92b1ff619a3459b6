package io.inceptionpipeline.models.xception;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import io.inceptionpipeline.models.layers.Intermediates;
import io.inceptionpipeline.models.layers.Layers;
import io.inceptionpipeline.models.layers.Macs;
import io.inceptionpipeline.models.layers.Sequential;
import io.inceptionpipeline.models.onnx.OnnxExportable;
import io.inceptionpipeline.models.onnx.OnnxGraph;

/**
 * A module of Xception's entry, middle or exit flow (Chollet, "Xception", 2017, figure 5; timm's
 * {@code Block}): {@code reps} times ReLU → separable 3×3 conv → BatchNorm ({@code rep}), a 3×3 max
 * pool of stride 2 in the reducing modules, plus a residual: the input itself, or a strided 1×1
 * convolution and BatchNorm ({@code skip}, {@code skipbn}) where the width or the grid changes.
 */
final class XceptionModule extends AbstractBlock implements Macs.Counted, OnnxExportable {

    private final Conv2d skip;
    private final BatchNorm skipBn;
    private final Sequential rep;

    /**
     * @param in input channels
     * @param out output channels
     * @param reps separable convolutions
     * @param stride 2 to halve the grid (max pool in {@code rep}, strided skip), else 1
     * @param startWithRelu false for the first module, which follows the stem's ReLU
     * @param growFirst whether the first separable conv widens to {@code out} (else the last)
     */
    XceptionModule(
            int in, int out, int reps, int stride, boolean startWithRelu, boolean growFirst) {
        if (out != in || stride != 1) {
            skip =
                    addChildBlock(
                            "skip",
                            Conv2d.builder()
                                    .setFilters(out)
                                    .setKernelShape(new Shape(1, 1))
                                    .optStride(new Shape(stride, stride))
                                    .optBias(false)
                                    .build());
            skipBn = addChildBlock("skipbn", Xception.batchNorm());
        } else {
            skip = null;
            skipBn = null;
        }
        Sequential layers = new Sequential();
        for (int i = 0; i < reps; i++) {
            int from = growFirst ? (i == 0 ? in : out) : in;
            int to = growFirst ? out : (i < reps - 1 ? in : out);
            if (i > 0 || startWithRelu) {
                layers.add(Layers.relu());
            }
            layers.add(new SeparableConv2d(from, to));
            layers.add(Xception.batchNorm());
        }
        if (stride != 1) {
            layers.add(Layers.maxPool(3, stride, 1));
        }
        rep = addChildBlock("rep", layers);
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        NDArray y = rep.forward(ps, inputs, training).singletonOrThrow();
        if (skip == null) {
            NDArray sum = y.add(x);
            Intermediates.release(training, y);
            return new NDList(sum);
        }
        NDArray s = skip.forward(ps, inputs, training).singletonOrThrow();
        NDArray shortcut = skipBn.forward(ps, new NDList(s), training).singletonOrThrow();
        Intermediates.release(training, s);
        NDArray sum = y.add(shortcut);
        Intermediates.release(training, y);
        Intermediates.release(training, shortcut);
        return new NDList(sum);
    }

    /** {@code rep}, plus the input or its strided 1×1 Conv and BatchNorm. */
    @Override
    public String exportOnnx(OnnxGraph graph, String input) {
        String y = graph.apply(rep, input);
        String shortcut = skip == null ? input : graph.apply(skipBn, graph.apply(skip, input));
        return graph.node("Add", y, shortcut).output();
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return rep.getOutputShapes(inputShapes);
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputs) {
        if (skip != null) {
            skip.initialize(manager, dataType, inputs);
            skipBn.initialize(manager, dataType, skip.getOutputShapes(inputs));
        }
        rep.initialize(manager, dataType, inputs);
    }

    @Override
    public long macs(Shape input) {
        return rep.macs(input) + (skip == null ? 0 : Macs.of(skip, input));
    }
}
