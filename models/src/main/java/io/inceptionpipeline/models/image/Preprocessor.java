package io.inceptionpipeline.models.image;

import io.inceptionpipeline.models.spec.Normalization;

/**
 * Turns a decoded image into the model's input as its reference does (timm's {@code
 * transforms_imagenet_eval} on a PIL image): crop to an 8-bit {@code inputSize²} image, then
 * normalize into a float CHW tensor. The two steps are apart so the 8-bit crop can travel between
 * operators and become floats only inside the inference call.
 */
public final class Preprocessor {

    private final int inputSize;
    private final double cropPct;
    private final Interpolation interpolation;
    private final float[][] lookup; // [network channel][pixel value] -> normalized float
    private final int[] source; // [network channel] -> RGB channel

    public Preprocessor(
            int inputSize, double cropPct, Interpolation interpolation, Normalization norm) {
        if (inputSize <= 0 || !(cropPct > 0 && cropPct <= 1)) {
            throw new IllegalArgumentException(
                    "inputSize must be positive and cropPct in (0, 1], got "
                            + inputSize
                            + ", "
                            + cropPct);
        }
        this.inputSize = inputSize;
        this.cropPct = cropPct;
        this.interpolation = interpolation;
        this.lookup = norm.lookupTable();
        this.source =
                new int[] {norm.sourceChannel(0), norm.sourceChannel(1), norm.sourceChannel(2)};
    }

    public int inputSize() {
        return inputSize;
    }

    /** The 8-bit {@code inputSize²} model input of {@code image}. */
    public RgbImage crop(RgbImage image, CropMode mode) {
        switch (mode) {
            case NONE:
                if (image.width() != inputSize || image.height() != inputSize) {
                    throw new IllegalArgumentException(
                            "Crop mode 'none' needs a "
                                    + inputSize
                                    + "x"
                                    + inputSize
                                    + " image, got "
                                    + image.width()
                                    + "x"
                                    + image.height());
                }
                return image;
            case CENTER:
                return centerCrop(image);
            default:
                throw new IllegalArgumentException("Unsupported crop mode " + mode);
        }
    }

    /** The size the shorter side is resized to before the center crop. */
    public int scaleSize() {
        return (int) Math.floor(inputSize / cropPct);
    }

    private RgbImage centerCrop(RgbImage image) {
        // torchvision Resize(int): shorter side to scaleSize, longer side int(scale * long /
        // short).
        int scale = scaleSize();
        int width;
        int height;
        if (image.width() <= image.height()) {
            width = scale;
            height = (int) ((double) ((long) scale * image.height()) / image.width());
        } else {
            height = scale;
            width = (int) ((double) ((long) scale * image.width()) / image.height());
        }
        // torchvision CenterCrop: offsets int(round((size - crop) / 2)), Python's half-to-even
        // round.
        int left = (int) Math.rint((width - inputSize) / 2.0);
        int top = (int) Math.rint((height - inputSize) / 2.0);
        return PilResize.resizeCrop(
                image, width, height, left, top, inputSize, inputSize, interpolation);
    }

    /**
     * Writes the normalized CHW floats of an {@code inputSize²} crop into {@code dst} at {@code
     * offset}.
     */
    public void normalize(RgbImage crop, float[] dst, int offset) {
        if (crop.width() != inputSize || crop.height() != inputSize) {
            throw new IllegalArgumentException(
                    "Expected a " + inputSize + "x" + inputSize + " crop, got " + crop);
        }
        int plane = inputSize * inputSize;
        byte[] px = crop.pixels();
        for (int c = 0; c < 3; c++) {
            float[] table = lookup[c];
            int from = source[c];
            int to = offset + c * plane;
            for (int i = 0; i < plane; i++) {
                dst[to + i] = table[px[3 * i + from] & 0xff];
            }
        }
    }
}
