package io.inceptionpipeline.models.layers;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.convolutional.Conv2d;

/**
 * One-line layer constructors, so a cell reads like its figure in the paper: {@code conv(384, 3, 2,
 * 0)} is "3×3 conv, 384 filters, stride 2, no padding" ("V" in the paper's figures).
 */
public final class Layers {

    private Layers() {}

    /** Conv (no bias) + BatchNorm + ReLU with a square kernel, stride 1, no padding. */
    public static ConvNormAct conv(int filters, int kernel) {
        return conv(filters, kernel, 1, 0);
    }

    /** Conv (no bias) + BatchNorm + ReLU with a square kernel. */
    public static ConvNormAct conv(int filters, int kernel, int stride, int padding) {
        return new ConvNormAct(
                filters,
                new Shape(kernel, kernel),
                new Shape(stride, stride),
                new Shape(padding, padding),
                true);
    }

    /**
     * Conv (no bias) + BatchNorm + ReLU with a factorized kernel such as 1×7 or 7×1, stride 1,
     * "same" padding.
     */
    public static ConvNormAct conv(int filters, int kernelH, int kernelW) {
        return new ConvNormAct(
                filters,
                new Shape(kernelH, kernelW),
                new Shape(1, 1),
                new Shape(kernelH / 2, kernelW / 2),
                true);
    }

    /**
     * Caffe-style conv (with bias) + BatchNorm (epsilon 1e-5) + ReLU, whose layers are named {@code
     * name} and {@code name_bn} in the enclosing module, as Cadene's port of BN-Inception names
     * them.
     */
    public static ConvNormAct caffeConv(
            String name, int filters, int kernel, int stride, int padding) {
        return new ConvNormAct.Flat(
                filters,
                new Shape(kernel, kernel),
                new Shape(stride, stride),
                new Shape(padding, padding),
                name);
    }

    /** A plain 1×1 convolution with bias: the residual up-projection of Inception-ResNet cells. */
    public static Conv2d projection(int filters) {
        return Conv2d.builder()
                .setFilters(filters)
                .setKernelShape(new Shape(1, 1))
                .optBias(true)
                .build();
    }

    /** Max pooling without padding ("V"). */
    public static Pool2d maxPool(int kernel, int stride) {
        return maxPool(kernel, stride, 0);
    }

    /** Max pooling rounding the output size up, as Caffe did (GoogLeNet in torchvision). */
    public static Pool2d maxPoolCeil(int kernel, int stride, int padding) {
        return Pool2d.max(kernel, stride, padding, true);
    }

    /** Max pooling; padded borders never win the max. */
    public static Pool2d maxPool(int kernel, int stride, int padding) {
        return Pool2d.max(kernel, stride, padding, false);
    }

    /** Average pooling that counts the zero padding, like PyTorch's default (Inception-v3). */
    public static Pool2d avgPool(int kernel, int stride, int padding) {
        return Pool2d.avg(kernel, stride, padding, true);
    }

    /** Average pooling whose border windows divide by the pixels they cover, not by k². */
    public static Pool2d avgPoolExcludingPadding(int kernel, int stride, int padding) {
        return Pool2d.avg(kernel, stride, padding, false);
    }

    /** ReLU as a block whose kind an exporter can see (DJL's reluBlock is a lambda). */
    public static Relu relu() {
        return new Relu();
    }

    /** Layers applied in order; state-dict names {@code 0}, {@code 1}, ... like nn.Sequential. */
    public static Sequential seq(Block... layers) {
        Sequential sequential = new Sequential();
        for (Block layer : layers) {
            sequential.add(layer);
        }
        return sequential;
    }
}
