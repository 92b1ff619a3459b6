package io.inceptionpipeline.models.layers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import io.inceptionpipeline.models.onnx.OnnxGraph;

/**
 * An Inception-ResNet cell: the branches are concatenated, projected back to the input width by a
 * 1×1 convolution with bias ({@code conv2d}, no BatchNorm in the released model), scaled, added to
 * the input and passed through ReLU: {@code act(conv2d(cat(branches)) * scale + x)}.
 *
 * <p>Scaling the residual (paper section 3.3) keeps the very deep network stable.
 */
public class ResidualCell extends BranchCell {

    private final float scale;
    private final boolean relu;
    private final int channels;
    private final Conv2d conv2d;

    protected ResidualCell(float scale, boolean relu, int channels, Block... branches) {
        super(branches);
        this.channels = channels;
        this.scale = scale;
        this.relu = relu;
        this.conv2d = addChildBlock("conv2d", Layers.projection(channels));
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        NDArray branches = concatBranches(ps, x, training);
        NDArray projected = conv2d.forward(ps, new NDList(branches), training).singletonOrThrow();
        Intermediates.release(training, branches);
        NDArray sum;
        if (training) {
            sum = projected.mul(scale).add(x);
        } else {
            sum = projected.muli(scale).addi(x); // in place: no autograd to preserve
        }
        if (!relu) {
            return new NDList(sum);
        }
        NDArray out = Activation.relu(sum);
        Intermediates.release(training, sum);
        return new NDList(out);
    }

    /** Concat, Conv (with bias), Mul by the scale, Add the input, Relu unless the last cell. */
    @Override
    public String exportOnnx(OnnxGraph graph, String input) {
        String projected = graph.apply(conv2d, concatBranches(graph, input));
        String scaled = graph.node("Mul", projected, graph.scalar("scale", scale)).output();
        String sum = graph.node("Add", scaled, input).output();
        return relu ? graph.node("Relu", sum).output() : sum;
    }

    @Override
    public long macs(Shape input) {
        return super.macs(input) + Macs.of(conv2d, concatShape(input));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return inputShapes;
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputs) {
        if (inputs[0].get(1) != channels) {
            throw new IllegalArgumentException(
                    getClass().getSimpleName()
                            + " expects "
                            + channels
                            + " input channels, got shape "
                            + inputs[0]);
        }
        super.initializeChildBlocks(manager, dataType, inputs);
        conv2d.initialize(manager, dataType, concatShape(inputs[0]));
    }

    /** The residual scale of this cell. */
    public float scale() {
        return scale;
    }

    /** Whether the cell ends with ReLU (the last Block8 of IRv2 does not). */
    public boolean hasRelu() {
        return relu;
    }
}
