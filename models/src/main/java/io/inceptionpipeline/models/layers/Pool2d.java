package io.inceptionpipeline.models.layers;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import io.inceptionpipeline.models.onnx.OnnxExportable;
import io.inceptionpipeline.models.onnx.OnnxGraph;
import java.io.DataInputStream;
import java.io.IOException;

/**
 * A square 2-D max or average pooling whose settings can be read back (DJL's {@code
 * Pool.maxPool2dBlock} is a lambda, which an exporter cannot look into): kernel, stride, symmetric
 * padding, whether the output size rounds up ({@code ceilMode}, Caffe's convention, GoogLeNet and
 * BN-Inception) and, for averages, whether the zero padding counts in the divisor.
 *
 * <p>Average pooling that excludes padding (PyTorch's {@code count_include_pad=False}, TF's "SAME"
 * pooling, Inception-v4 and Inception-ResNet-v2) is native on MXNet. With DJL 0.36's PyTorch engine
 * the native operation gave other border values (measured: the parity tests of Inception-v4 and
 * IRv2 failed on it), so there it is computed from operations every engine gets right: the padded
 * average of the input divided by the padded average of ones.
 */
public final class Pool2d extends AbstractBlock implements OnnxExportable {

    /** What a window computes. */
    public enum Kind {
        MAX,
        AVG
    }

    /** DJL's LambdaBlock writes version 2; the former AvgPoolExcludingPadding wrote 1. */
    private static final byte VERSION = 2;

    private final Kind kind;
    private final int kernel;
    private final int stride;
    private final int padding;
    private final boolean ceilMode;
    private final boolean countIncludePad;

    private Pool2d(
            Kind kind,
            int kernel,
            int stride,
            int padding,
            boolean ceilMode,
            boolean countIncludePad) {
        super(VERSION);
        if (kernel < 1 || stride < 1 || padding < 0 || 2 * padding > kernel) {
            throw new IllegalArgumentException(
                    String.format(
                            "pooling needs kernel >= 1, stride >= 1, 0 <= padding <= kernel / 2;"
                                    + " got kernel %d, stride %d, padding %d",
                            kernel, stride, padding));
        }
        this.kind = kind;
        this.kernel = kernel;
        this.stride = stride;
        this.padding = padding;
        this.ceilMode = ceilMode;
        this.countIncludePad = countIncludePad;
    }

    /** Max pooling; padded borders never win the max. */
    public static Pool2d max(int kernel, int stride, int padding, boolean ceilMode) {
        return new Pool2d(Kind.MAX, kernel, stride, padding, ceilMode, false);
    }

    /** Average pooling; {@code countIncludePad} whether border windows divide by k². */
    public static Pool2d avg(int kernel, int stride, int padding, boolean countIncludePad) {
        return new Pool2d(Kind.AVG, kernel, stride, padding, false, countIncludePad);
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        Shape k = new Shape(kernel, kernel);
        Shape s = new Shape(stride, stride);
        Shape p = new Shape(padding, padding);
        if (kind == Kind.MAX) {
            return new NDList(Pool.maxPool2d(x, k, s, p, ceilMode));
        }
        if (countIncludePad || "MXNet".equals(x.getManager().getEngine().getEngineName())) {
            return new NDList(Pool.avgPool2d(x, k, s, p, ceilMode, countIncludePad));
        }
        NDArray sums = Pool.avgPool2d(x, k, s, p, ceilMode, true);
        try (NDManager scratch = x.getManager().newSubManager()) {
            Shape plane = new Shape(1, 1, x.getShape().get(2), x.getShape().get(3));
            NDArray ones = scratch.ones(plane, x.getDataType());
            NDArray covered = Pool.avgPool2d(ones, k, s, p, ceilMode, true);
            NDArray out = sums.div(covered);
            out.attach(x.getManager());
            sums.close();
            return new NDList(out);
        }
    }

    /** ONNX's MaxPool or AveragePool with the same settings. */
    @Override
    public String exportOnnx(OnnxGraph graph, String input) {
        OnnxGraph.Node node =
                graph.node(kind == Kind.MAX ? "MaxPool" : "AveragePool", input)
                        .ints("kernel_shape", kernel, kernel)
                        .ints("strides", stride, stride)
                        .ints("pads", padding, padding, padding, padding)
                        .integer("ceil_mode", ceilMode ? 1 : 0);
        if (kind == Kind.AVG) {
            node.integer("count_include_pad", countIncludePad ? 1 : 0);
        }
        return node.output();
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape in = inputShapes[0];
        return new Shape[] {new Shape(in.get(0), in.get(1), size(in.get(2)), size(in.get(3)))};
    }

    /**
     * Output side for input side {@code in}; rounding up, a window must start inside the input or
     * its left padding (PyTorch's and ONNX's rule).
     */
    private long size(long in) {
        long span = in + 2L * padding - kernel;
        if (!ceilMode) {
            return span / stride + 1;
        }
        long out = Math.floorDiv(span + stride - 1, stride) + 1;
        return (out - 1) * stride >= in + padding ? out - 1 : out;
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputs) {}

    @Override
    protected void loadMetadata(byte loadVersion, DataInputStream is)
            throws IOException, MalformedModelException {
        // .params files written before this class held a LambdaBlock (2) or
        // AvgPoolExcludingPadding (1) here; both wrote the version and the input shapes only.
        if (loadVersion != 1 && loadVersion != VERSION) {
            throw new MalformedModelException(
                    "Cannot load Pool2d, expected version 1 or 2, got " + loadVersion);
        }
        readInputShapes(is);
    }

    /** What the window computes. */
    public Kind kind() {
        return kind;
    }

    @Override
    public String toString() {
        return String.format(
                "Pool2d(%s, kernel %d, stride %d, padding %d%s%s)",
                kind,
                kernel,
                stride,
                padding,
                ceilMode ? ", ceil" : "",
                kind == Kind.AVG
                        ? (countIncludePad ? ", counting padding" : ", excluding padding")
                        : "");
    }
}
