package io.inceptionpipeline.models.layers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * Average pooling whose border windows divide by the pixels they cover, not by k² (PyTorch's {@code
 * count_include_pad=False}, TF's "SAME" average pooling), as Inception-v4 and Inception-ResNet-v2
 * pool.
 *
 * <p>MXNet implements it natively. With DJL 0.36's PyTorch engine the native operation gave other
 * border values (measured: the parity tests of Inception-v4 and IRv2 failed on it), so elsewhere it
 * is computed from operations every engine gets right: the padded average of the input divided by
 * the padded average of ones, which is the sum over the covered pixels divided by their count.
 */
final class AvgPoolExcludingPadding extends AbstractBlock {

    private final Shape kernel;
    private final Shape stride;
    private final Shape padding;

    AvgPoolExcludingPadding(int kernel, int stride, int padding) {
        this.kernel = new Shape(kernel, kernel);
        this.stride = new Shape(stride, stride);
        this.padding = new Shape(padding, padding);
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        if ("MXNet".equals(x.getManager().getEngine().getEngineName())) {
            return new NDList(Pool.avgPool2d(x, kernel, stride, padding, false, false));
        }
        NDArray sums = Pool.avgPool2d(x, kernel, stride, padding, false, true);
        try (NDManager scratch = x.getManager().newSubManager()) {
            Shape plane = new Shape(1, 1, x.getShape().get(2), x.getShape().get(3));
            NDArray ones = scratch.ones(plane, x.getDataType());
            NDArray covered = Pool.avgPool2d(ones, kernel, stride, padding, false, true);
            NDArray out = sums.div(covered);
            out.attach(x.getManager());
            sums.close();
            return new NDList(out);
        }
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape in = inputShapes[0];
        long h = (in.get(2) + 2 * padding.get(0) - kernel.get(0)) / stride.get(0) + 1;
        long w = (in.get(3) + 2 * padding.get(1) - kernel.get(1)) / stride.get(1) + 1;
        return new Shape[] {new Shape(in.get(0), in.get(1), h, w)};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputs) {}
}
