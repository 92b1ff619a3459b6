package io.inceptionpipeline.models.image;

/**
 * An 8-bit RGB image, rows top to bottom, pixels interleaved {@code R, G, B}. The compact form
 * pixels take between decoding and inference (3 bytes a pixel, not 12 as floats).
 */
public record RgbImage(int width, int height, byte[] pixels) {

    public RgbImage {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException(
                    "Image size must be positive, got " + width + "x" + height);
        }
        if (pixels.length != 3L * width * height) {
            throw new IllegalArgumentException(
                    "A "
                            + width
                            + "x"
                            + height
                            + " RGB image needs "
                            + 3L * width * height
                            + " bytes, got "
                            + pixels.length);
        }
    }

    /** Channel {@code c} (0 R, 1 G, 2 B) of pixel (x, y), 0..255. */
    public int get(int x, int y, int c) {
        return pixels[(y * width + x) * 3 + c] & 0xff;
    }

    @Override
    public String toString() {
        return "RgbImage[" + width + "x" + height + "]";
    }
}
