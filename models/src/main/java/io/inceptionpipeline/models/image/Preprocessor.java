package io.inceptionpipeline.models.image;

import io.inceptionpipeline.models.spec.Normalization;
import java.util.ArrayList;
import java.util.List;

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
                throw new IllegalArgumentException(
                        "Crop mode " + mode.id() + " makes several crops: use crops()");
        }
    }

    /**
     * Every crop {@code mode} makes of {@code image}, in the mode's order: one for {@code center}
     * and {@code none} (the same bytes as {@link #crop}), 10 for {@code ten}, 144 for {@code
     * multiscale}.
     */
    public List<RgbImage> crops(RgbImage image, CropMode mode) {
        switch (mode) {
            case TEN:
                return cut(
                        image, TenCrop.windows(image.width(), image.height(), inputSize, cropPct));
            case MULTISCALE:
                return cut(image, MultiScaleCrop.windows(image.width(), image.height(), inputSize));
            default:
                return List.of(crop(image, mode));
        }
    }

    /** The pixels of {@code windows} of {@code image}, each {@code inputSize²}. */
    public List<RgbImage> cut(RgbImage image, List<CropWindow> windows) {
        List<RgbImage> out = new ArrayList<>(windows.size());
        RgbImage padded = null;
        for (CropWindow w : windows) {
            RgbImage square;
            if (w.padding() > 0) {
                if (padded == null
                        || padded.width() != w.resizedWidth() + 2 * w.padding()
                        || padded.height() != w.resizedHeight() + 2 * w.padding()) {
                    padded =
                            pad(
                                    PilResize.resize(
                                            image,
                                            w.resizedWidth(),
                                            w.resizedHeight(),
                                            interpolation),
                                    w.padding());
                }
                square = window(padded, w.left(), w.top(), w.side());
            } else {
                square =
                        PilResize.resizeCrop(
                                image,
                                w.resizedWidth(),
                                w.resizedHeight(),
                                w.left(),
                                w.top(),
                                w.side(),
                                w.side(),
                                interpolation);
            }
            if (w.side() != inputSize) {
                square = PilResize.resize(square, inputSize, inputSize, interpolation);
            }
            out.add(w.mirrored() ? mirror(square) : square);
        }
        return out;
    }

    /**
     * torchvision's {@code Resize(int)}: the shorter side to {@code scale}, the longer side {@code
     * int(scale * long / short)}; returns {width, height}.
     */
    public static int[] resizedSize(int width, int height, int scale) {
        if (width <= height) {
            return new int[] {scale, (int) ((double) ((long) scale * height) / width)};
        }
        return new int[] {(int) ((double) ((long) scale * width) / height), scale};
    }

    static RgbImage pad(RgbImage image, int padding) {
        int w = image.width() + 2 * padding;
        int h = image.height() + 2 * padding;
        byte[] out = new byte[3 * w * h];
        for (int y = 0; y < image.height(); y++) {
            System.arraycopy(
                    image.pixels(),
                    3 * y * image.width(),
                    out,
                    3 * ((y + padding) * w + padding),
                    3 * image.width());
        }
        return new RgbImage(w, h, out);
    }

    static RgbImage window(RgbImage image, int left, int top, int side) {
        byte[] out = new byte[3 * side * side];
        for (int y = 0; y < side; y++) {
            System.arraycopy(
                    image.pixels(),
                    3 * ((top + y) * image.width() + left),
                    out,
                    3 * y * side,
                    3 * side);
        }
        return new RgbImage(side, side, out);
    }

    /** {@code image} mirrored left to right. */
    public static RgbImage mirror(RgbImage image) {
        int w = image.width();
        byte[] src = image.pixels();
        byte[] out = new byte[src.length];
        for (int y = 0; y < image.height(); y++) {
            for (int x = 0; x < w; x++) {
                System.arraycopy(src, 3 * (y * w + x), out, 3 * (y * w + w - 1 - x), 3);
            }
        }
        return new RgbImage(w, image.height(), out);
    }

    /** The size the shorter side is resized to before the center crop. */
    public int scaleSize() {
        return (int) Math.floor(inputSize / cropPct);
    }

    private RgbImage centerCrop(RgbImage image) {
        // torchvision Resize(int): shorter side to scaleSize, longer side int(scale * long /
        // short).
        int[] resized = resizedSize(image.width(), image.height(), scaleSize());
        int width = resized[0];
        int height = resized[1];
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
