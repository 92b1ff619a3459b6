package io.inceptionpipeline.operators.decode;

import io.inceptionpipeline.models.image.RgbImage;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * Decodes encoded image bytes (JPEG, PNG, GIF first frame, BMP) into an 8-bit {@link RgbImage}. The
 * pixel count is read from the header and checked against a cap <em>before</em> any pixel is
 * decoded, so a small file declaring 50,000 × 50,000 pixels is refused without allocating them.
 *
 * <p>Colour conversion follows Pillow's {@code convert("RGB")}, which the reference transforms use:
 * grey is replicated to three channels, alpha is dropped (not composited).
 */
public final class ImageDecoder {

    /** Default pixel cap: 40 megapixels, about a 7,700 × 5,200 photo. */
    public static final long DEFAULT_MAX_PIXELS = 40_000_000L;

    private final long maxPixels;

    public ImageDecoder(long maxPixels) {
        if (maxPixels <= 0) {
            throw new IllegalArgumentException("maxPixels must be positive, got " + maxPixels);
        }
        this.maxPixels = maxPixels;
    }

    public ImageDecoder() {
        this(DEFAULT_MAX_PIXELS);
    }

    /** Decodes {@code bytes}; never returns null. */
    public RgbImage decode(byte[] bytes) throws DecodeException {
        if (bytes.length == 0) {
            throw new DecodeException(DecodeException.Reason.EMPTY, "The image has zero bytes");
        }
        try (ImageInputStream input =
                ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(input);
            if (!readers.hasNext()) {
                throw new DecodeException(
                        DecodeException.Reason.UNSUPPORTED_FORMAT,
                        "Not a supported image format (JPEG, PNG, GIF, BMP); first bytes: "
                                + head(bytes));
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(input, true, true);
                long width = reader.getWidth(0);
                long height = reader.getHeight(0);
                if (width * height > maxPixels) {
                    throw new DecodeException(
                            DecodeException.Reason.TOO_MANY_PIXELS,
                            "Image declares "
                                    + width
                                    + "x"
                                    + height
                                    + " = "
                                    + width * height
                                    + " pixels, over the cap of "
                                    + maxPixels);
                }
                List<String> warnings = new ArrayList<>();
                reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
                BufferedImage image = reader.read(0);
                for (String warning : warnings) {
                    // Java's JPEG reader fills a truncated file with grey and only warns.
                    if (warning.toLowerCase(Locale.ROOT).contains("premature end")) {
                        throw new DecodeException(
                                DecodeException.Reason.CORRUPT,
                                "The image is truncated (" + warning + ")");
                    }
                }
                return toRgb(image);
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            throw new DecodeException(
                    DecodeException.Reason.CORRUPT,
                    "Cannot decode image ("
                            + e.getClass().getSimpleName()
                            + ": "
                            + e.getMessage()
                            + ")",
                    e);
        }
    }

    static RgbImage toRgb(BufferedImage image) {
        int width = image.getWidth();
        int height = image.getHeight();
        byte[] out = new byte[3 * width * height];
        if (image.getType() == BufferedImage.TYPE_3BYTE_BGR
                && image.getRaster().getDataBuffer() instanceof DataBufferByte buffer
                && buffer.getNumBanks() == 1
                && buffer.getData().length == out.length) {
            // What JPEG decoding gives: packed B, G, R bytes; swapping is all that is left to do.
            byte[] bgr = buffer.getData();
            for (int i = 0; i < out.length; i += 3) {
                out[i] = bgr[i + 2];
                out[i + 1] = bgr[i + 1];
                out[i + 2] = bgr[i];
            }
            return new RgbImage(width, height, out);
        }
        Raster raster = image.getRaster();
        int bands = raster.getNumBands();
        boolean grey =
                image.getColorModel().getColorSpace().getNumComponents() == 1
                        && (bands == 1 || bands == 2)
                        && !(image.getColorModel() instanceof IndexColorModel);
        if (grey) {
            // getRGB would apply a linear-to-sRGB curve to grey; Pillow replicates the value.
            // Deeper samples (16-bit PNG) are scaled to 8 bits.
            int bits = image.getColorModel().getComponentSize(0);
            long max = (1L << bits) - 1;
            int[] row = new int[width];
            for (int y = 0; y < height; y++) {
                raster.getSamples(0, y, width, 1, 0, row);
                for (int x = 0; x < width; x++) {
                    int at = 3 * (y * width + x);
                    int v = bits == 8 ? row[x] : (int) ((row[x] * 255L + max / 2) / max);
                    out[at] = out[at + 1] = out[at + 2] = (byte) v;
                }
            }
        } else {
            int[] row = new int[width];
            for (int y = 0; y < height; y++) {
                image.getRGB(0, y, width, 1, row, 0, width);
                for (int x = 0; x < width; x++) {
                    int argb = row[x];
                    int at = 3 * (y * width + x);
                    out[at] = (byte) (argb >> 16);
                    out[at + 1] = (byte) (argb >> 8);
                    out[at + 2] = (byte) argb;
                }
            }
        }
        return new RgbImage(width, height, out);
    }

    private static String head(byte[] bytes) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < Math.min(8, bytes.length); i++) {
            sb.append(String.format("%02x", bytes[i] & 0xff));
        }
        return sb.toString();
    }
}
