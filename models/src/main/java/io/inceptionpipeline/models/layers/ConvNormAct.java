package io.inceptionpipeline.models.layers;

import ai.djl.ndarray.NDArray;
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
import io.inceptionpipeline.models.onnx.OnnxExportable;
import io.inceptionpipeline.models.onnx.OnnxGraph;

/**
 * Convolution without bias, BatchNorm, ReLU: timm's {@code ConvNormAct} (formerly {@code
 * BasicConv2d}), TF-slim's {@code conv2d} with {@code batch_norm}.
 *
 * <p>State-dict names follow timm: {@code conv.weight}, {@code bn.weight}, {@code bn.bias}, {@code
 * bn.running_mean}, {@code bn.running_var}. BatchNorm epsilon is 0.001 as in the TF release.
 */
public class ConvNormAct extends AbstractBlock implements Macs.Counted, OnnxExportable {

    /** BatchNorm epsilon of the TF-slim release, which timm keeps. */
    public static final float BN_EPSILON = 1e-3f;

    /** PyTorch's default BatchNorm epsilon (Caffe-ported BN-Inception, timm's legacy Xception). */
    public static final float TORCH_BN_EPSILON = 1e-5f;

    private final Conv2d conv;
    private final BatchNorm bn;
    private final boolean relu;
    private final Shape stride;
    private final Shape padding;
    private final float epsilon;

    // Inference-only: the convolution with BatchNorm folded in (see foldBatchNorm).
    private NDArray foldedWeight;
    private NDArray foldedBias;

    ConvNormAct(int filters, Shape kernel, Shape stride, Shape padding, boolean relu) {
        this(filters, kernel, stride, padding, relu, "conv", "bn", false, BN_EPSILON);
    }

    /**
     * @param convName state-dict name of the convolution
     * @param bnName state-dict name of the BatchNorm
     * @param bias whether the convolution has a bias (Caffe-era models do, before BatchNorm)
     * @param epsilon BatchNorm epsilon
     */
    ConvNormAct(
            int filters,
            Shape kernel,
            Shape stride,
            Shape padding,
            boolean relu,
            String convName,
            String bnName,
            boolean bias,
            float epsilon) {
        this.conv =
                addChildBlock(
                        convName,
                        Conv2d.builder()
                                .setFilters(filters)
                                .setKernelShape(kernel)
                                .optStride(stride)
                                .optPadding(padding)
                                .optBias(bias)
                                .build());
        this.bn = addChildBlock(bnName, BatchNorm.builder().optEpsilon(epsilon).build());
        this.epsilon = epsilon;
        this.relu = relu;
        this.stride = stride;
        this.padding = padding;
    }

    /**
     * Folds BatchNorm into the convolution for inference: {@code w' = w * gamma / sqrt(var + eps)}
     * per output channel, {@code b' = beta + (b - mean) * gamma / sqrt(var + eps)} (b = 0 without a
     * convolution bias). Two fewer passes over every activation. The parameters themselves are
     * untouched (saving and training see the unfolded layers); call again after changing them.
     */
    public void foldBatchNorm() {
        releaseFolded();
        NDArray[] folded = folded();
        foldedWeight = folded[0];
        foldedBias = folded[1];
    }

    /** The folded weight and bias, new arrays of the weight's manager. */
    private NDArray[] folded() {
        ai.djl.nn.ParameterList bnParams = bn.getParameters();
        NDArray gamma = bnParams.get("gamma").getArray();
        NDArray beta = bnParams.get("beta").getArray();
        NDArray mean = bnParams.get("runningMean").getArray();
        NDArray var = bnParams.get("runningVar").getArray();
        NDArray weight = conv.getParameters().get("weight").getArray();
        NDManager manager = weight.getManager();
        try (NDManager scratch = manager.newSubManager()) {
            NDArray factor = gamma.div(var.add(epsilon).sqrt());
            factor.attach(scratch);
            NDArray w = weight.mul(factor.reshape(-1, 1, 1, 1));
            ai.djl.nn.Parameter convBias = conv.getParameters().get("bias");
            NDArray shift = convBias == null ? mean : mean.sub(convBias.getArray());
            if (shift != mean) {
                shift.attach(scratch);
            }
            NDArray b = beta.sub(shift.mul(factor));
            w.attach(manager);
            b.attach(manager);
            return new NDArray[] {w, b};
        }
    }

    /**
     * One Conv with BatchNorm folded in, exactly the arrays {@link #foldBatchNorm} serves with,
     * then Relu unless this layer ends without it.
     */
    @Override
    public String exportOnnx(OnnxGraph graph, String input) {
        boolean own = foldedWeight == null;
        NDArray[] folded = own ? folded() : new NDArray[] {foldedWeight, foldedBias};
        String prefix =
                graph.nameOf(conv.getParameters().get("weight")).replaceAll("\\.weight$", "");
        String weight = graph.initializer(prefix + ".bn_folded.weight", folded[0]);
        String bias = graph.initializer(prefix + ".bn_folded.bias", folded[1]);
        if (own) {
            folded[0].close();
            folded[1].close();
        }
        Shape k = conv.getKernelShape();
        String y =
                graph.node("Conv", input, weight, bias)
                        .ints("kernel_shape", k.get(0), k.get(1))
                        .ints("strides", stride.get(0), stride.get(1))
                        .ints(
                                "pads",
                                padding.get(0),
                                padding.get(1),
                                padding.get(0),
                                padding.get(1))
                        .output();
        return relu ? graph.node("Relu", y).output() : y;
    }

    /** Folds ({@code fold}) or unfolds every ConvNormAct in the tree under {@code root}. */
    public static void foldAll(ai.djl.nn.Block root, boolean fold) {
        if (root instanceof ConvNormAct layer) {
            if (fold) {
                layer.foldBatchNorm();
            } else {
                layer.releaseFolded();
            }
        }
        for (ai.djl.nn.Block child : root.getChildren().values()) {
            foldAll(child, fold);
        }
    }

    /** Drops the folded convolution; forward runs conv, BatchNorm, ReLU again. */
    public void releaseFolded() {
        if (foldedWeight != null) {
            foldedWeight.close();
            foldedBias.close();
            foldedWeight = null;
            foldedBias = null;
        }
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        if (foldedWeight != null && !training) {
            NDArray input = inputs.singletonOrThrow();
            NDArray y =
                    Conv2d.conv2d(input, foldedWeight, foldedBias, stride, padding)
                            .singletonOrThrow();
            if (!relu) {
                return new NDList(y);
            }
            NDArray out = Activation.relu(y);
            y.close();
            return new NDList(out);
        }
        NDArray convolved = conv.forward(ps, inputs, training).singletonOrThrow();
        NDArray normed = bn.forward(ps, new NDList(convolved), training).singletonOrThrow();
        Intermediates.release(training, convolved);
        if (!relu) {
            return new NDList(normed);
        }
        NDArray out = Activation.relu(normed);
        Intermediates.release(training, normed);
        return new NDList(out);
    }

    @Override
    public long macs(Shape input) {
        return Macs.of(conv, input);
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

    /**
     * A ConvNormAct whose two layers sit directly in the enclosing module under their own names, as
     * in Caffe ports ({@code inception_3a_1x1}, {@code inception_3a_1x1_bn}).
     */
    static final class Flat extends ConvNormAct implements FlatNames {
        Flat(int filters, Shape kernel, Shape stride, Shape padding, String name) {
            super(
                    filters,
                    kernel,
                    stride,
                    padding,
                    true,
                    name,
                    name + "_bn",
                    true,
                    TORCH_BN_EPSILON);
        }
    }
}
