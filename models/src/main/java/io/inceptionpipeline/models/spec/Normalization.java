package io.inceptionpipeline.models.spec;

import java.util.Arrays;

/**
 * How 8-bit pixels become network input: {@code (pixel * pixelScale - mean[c]) / std[c]}, channels
 * in RGB order or, for Caffe-era weights such as BN-Inception, BGR.
 *
 * @param pixelScale 1/255 for timm/torchvision weights, 1 for 0..255 inputs
 * @param bgr whether the network expects channels in BGR order
 */
public record Normalization(float[] mean, float[] std, float pixelScale, boolean bgr) {

    /** Inception's TF preprocessing: [-1, 1]. */
    public static final Normalization INCEPTION =
            new Normalization(
                    new float[] {0.5f, 0.5f, 0.5f},
                    new float[] {0.5f, 0.5f, 0.5f},
                    1 / 255f,
                    false);

    /** Fashion-MNIST's pixel mean and std, the grey value repeated in all three channels. */
    public static final Normalization FASHION_MNIST =
            new Normalization(
                    new float[] {0.2860f, 0.2860f, 0.2860f},
                    new float[] {0.3530f, 0.3530f, 0.3530f},
                    1 / 255f,
                    false);

    /**
     * Caffe's BN-Inception (Cadene's port): BGR channels, 0..255, minus the per-channel mean 104
     * (blue), 117 (green), 128 (red), not divided.
     */
    public static final Normalization CAFFE_BGR =
            new Normalization(new float[] {104f, 117f, 128f}, new float[] {1f, 1f, 1f}, 1f, true);

    /** facenet's {@code fixed_image_standardization}: (pixel - 127.5) / 128. */
    public static final Normalization FACENET =
            new Normalization(
                    new float[] {127.5f, 127.5f, 127.5f},
                    new float[] {128f, 128f, 128f},
                    1f,
                    false);

    /** ImageNet mean/std, as torchvision's weights expect. */
    public static final Normalization IMAGENET =
            new Normalization(
                    new float[] {0.485f, 0.456f, 0.406f},
                    new float[] {0.229f, 0.224f, 0.225f},
                    1 / 255f,
                    false);

    public Normalization {
        if (mean.length != 3 || std.length != 3) {
            throw new IllegalArgumentException("mean and std need 3 channels");
        }
        for (float s : std) {
            if (!(s > 0)) {
                throw new IllegalArgumentException("std must be positive: " + Arrays.toString(std));
            }
        }
        mean = mean.clone();
        std = std.clone();
    }

    /**
     * {@code table[c][v]}: the input value of network channel {@code c} for pixel value {@code v}.
     * Computed in float, in the order torchvision's {@code ToTensor} and {@code Normalize} compute
     * it, so values are identical to the reference's.
     */
    public float[][] lookupTable() {
        float[][] table = new float[3][256];
        for (int c = 0; c < 3; c++) {
            for (int v = 0; v < 256; v++) {
                float x = pixelScale == 1 / 255f ? v / 255f : v * pixelScale;
                table[c][v] = (x - mean[c]) / std[c];
            }
        }
        return table;
    }

    /** The RGB channel (0 R, 1 G, 2 B) that feeds network channel {@code c}. */
    public int sourceChannel(int c) {
        return bgr ? 2 - c : c;
    }

    @Override
    public String toString() {
        return "Normalization[mean="
                + Arrays.toString(mean)
                + ", std="
                + Arrays.toString(std)
                + ", pixelScale="
                + pixelScale
                + ", bgr="
                + bgr
                + "]";
    }
}
