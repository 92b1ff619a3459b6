package io.inceptionpipeline.operators.decode;

import io.inceptionpipeline.models.image.RgbImage;
import java.awt.color.ColorSpace;
import java.awt.color.ICC_ColorSpace;
import java.awt.color.ICC_Profile;
import java.awt.image.BufferedImage;
import java.awt.image.ColorConvertOp;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.ComponentSampleModel;
import java.awt.image.DataBuffer;
import java.awt.image.DataBufferByte;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.ImageInputStream;
import org.w3c.dom.Node;

/**
 * Decodes encoded image bytes (JPEG, PNG, GIF first frame, BMP) into an 8-bit {@link RgbImage}. The
 * pixel count is read from the header by {@link ImageHeaders}, for every format, and checked
 * against a cap <em>before</em> any reader sees the bytes, so a small file declaring 50,000 ×
 * 50,000 pixels is refused as TOO_MANY_PIXELS without allocating them; a PNG whose critical chunks
 * carry a wrong CRC is refused as corrupt, as libpng and Pillow do.
 *
 * <p>Pixels follow Pillow's {@code Image.open(f).convert("RGB")}, which the reference transforms
 * use (tested byte for byte against Pillow 9.4, {@code PixelParityTest}): grey is replicated to
 * three channels, alpha is dropped (not composited), a palette gives its RGB entries whatever the
 * transparency, 16-bit samples keep their high byte ({@code v >> 8}), and with {@link
 * IccMode#IGNORE} an embedded ICC profile is not applied. One deliberate difference: Pillow 9.4
 * opens 16-bit greyscale PNGs as 32-bit integers and clips them to 255 (almost every pixel white);
 * they keep their high byte here like every other 16-bit PNG.
 */
public final class ImageDecoder {

    /** Default pixel cap: 40 megapixels, about a 7,700 × 5,200 photo. */
    public static final long DEFAULT_MAX_PIXELS = 40_000_000L;

    private final long maxPixels;
    private final IccMode icc;

    public ImageDecoder(long maxPixels, IccMode icc) {
        if (maxPixels <= 0) {
            throw new IllegalArgumentException("maxPixels must be positive, got " + maxPixels);
        }
        if (icc == null) {
            throw new IllegalArgumentException("icc mode must be given");
        }
        this.maxPixels = maxPixels;
        this.icc = icc;
    }

    /** A decoder that ignores embedded ICC profiles, as Pillow does. */
    public ImageDecoder(long maxPixels) {
        this(maxPixels, IccMode.IGNORE);
    }

    public ImageDecoder() {
        this(DEFAULT_MAX_PIXELS);
    }

    public IccMode iccMode() {
        return icc;
    }

    /** Decodes {@code bytes}; never returns null. */
    public RgbImage decode(byte[] bytes) throws DecodeException {
        return decode(bytes, true);
    }

    /**
     * Decodes {@code bytes}, trying {@link PngDecoder} first when {@code fastPng}; tests compare it
     * with the ImageIO path alone ({@code fastPng} false).
     */
    RgbImage decode(byte[] bytes, boolean fastPng) throws DecodeException {
        if (bytes.length == 0) {
            throw new DecodeException(DecodeException.Reason.EMPTY, "The image has zero bytes");
        }
        ImageHeaders.checkPngChunks(bytes);
        long[] declared = ImageHeaders.declaredSize(bytes);
        if (declared != null) {
            checkPixels(declared[0], declared[1]);
        }
        RgbImage png = fastPng ? PngDecoder.decode(bytes, icc) : null;
        if (png != null) {
            return png; // the common PNG, without ImageIO's overhead; null for anything else
        }
        try (ImageInputStream input =
                ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(input);
            if (!readers.hasNext()) {
                if (looksLikeText(bytes) && !textImageFormat(bytes)) {
                    throw new DecodeException(
                            DecodeException.Reason.NOT_AN_IMAGE,
                            "Text, not an image; it begins: " + textHead(bytes));
                }
                throw new DecodeException(
                        DecodeException.Reason.UNSUPPORTED_FORMAT,
                        "Not a supported image format (JPEG, PNG, GIF, BMP); first bytes: "
                                + head(bytes));
            }
            ImageReader reader = readers.next();
            try {
                // Metadata only for a PNG's iCCP profile (JPEG readers find theirs anyway).
                reader.setInput(input, true, icc == IccMode.IGNORE);
                checkPixels(reader.getWidth(0), reader.getHeight(0));
                List<String> warnings = new ArrayList<>();
                reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
                ImageReadParam param = reader.getDefaultReadParam();
                if (icc == IccMode.IGNORE) {
                    ImageTypeSpecifier stored = storedSamplesType(reader);
                    if (stored != null) {
                        param.setDestinationType(stored);
                    }
                }
                BufferedImage image = reader.read(0, param);
                for (String warning : warnings) {
                    // Java's JPEG reader fills a truncated file with grey and only warns.
                    if (warning.toLowerCase(Locale.ROOT).contains("premature end")) {
                        throw new DecodeException(
                                DecodeException.Reason.TRUNCATED,
                                "The image is truncated (" + warning + ")");
                    }
                }
                RgbImage rgb = toRgb(image);
                if (icc == IccMode.CONVERT) {
                    // The JPEG readers apply the profile themselves; Java's PNG reader does not.
                    ICC_Profile profile = pngProfile(reader);
                    if (profile != null) {
                        rgb = toSrgb(rgb, profile);
                    }
                }
                return rgb;
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            boolean truncated = endsEarly(e) || endsBeforeItsEnd(bytes);
            throw new DecodeException(
                    truncated ? DecodeException.Reason.TRUNCATED : DecodeException.Reason.CORRUPT,
                    (truncated ? "The image is truncated (" : "Cannot decode image (")
                            + e.getClass().getSimpleName()
                            + ": "
                            + e.getMessage()
                            + ")",
                    e);
        }
    }

    private void checkPixels(long width, long height) throws DecodeException {
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
    }

    /**
     * The reader's image type that keeps the samples as stored when it would otherwise convert them
     * from an embedded profile to sRGB: a JPEG with an ICC profile lists sRGB first (converted) and
     * the profile's own colour space later (no conversion). Null when there is nothing to avoid.
     */
    private static ImageTypeSpecifier storedSamplesType(ImageReader reader) throws IOException {
        Iterator<ImageTypeSpecifier> types = reader.getImageTypes(0);
        if (!types.hasNext() || !types.next().getColorModel().getColorSpace().isCS_sRGB()) {
            return null;
        }
        while (types.hasNext()) {
            ImageTypeSpecifier type = types.next();
            ColorSpace space = type.getColorModel().getColorSpace();
            if (type.getBufferedImageType() == BufferedImage.TYPE_3BYTE_BGR
                    && space instanceof ICC_ColorSpace
                    && space.getType() == ColorSpace.TYPE_RGB
                    && !space.isCS_sRGB()) {
                return type;
            }
        }
        return null;
    }

    /** The iCCP profile of a PNG, or null (no profile, another format, or an unreadable one). */
    private static ICC_Profile pngProfile(ImageReader reader) throws IOException {
        IIOMetadata metadata = reader.getImageMetadata(0);
        if (metadata == null
                || !"javax_imageio_png_1.0".equals(metadata.getNativeMetadataFormatName())) {
            return null;
        }
        Node root = metadata.getAsTree("javax_imageio_png_1.0");
        for (Node node = root.getFirstChild(); node != null; node = node.getNextSibling()) {
            if (node.getNodeName().equals("iCCP")
                    && node instanceof IIOMetadataNode iccp
                    && iccp.getUserObject() instanceof byte[] compressed) {
                try {
                    ICC_Profile profile = ICC_Profile.getInstance(inflate(compressed));
                    return profile.getColorSpaceType() == ColorSpace.TYPE_RGB ? profile : null;
                } catch (IllegalArgumentException | DataFormatException e) {
                    return null; // Pillow never reads it either: keep the stored samples
                }
            }
        }
        return null;
    }

    private static byte[] inflate(byte[] compressed) throws DataFormatException {
        Inflater inflater = new Inflater();
        try {
            inflater.setInput(compressed);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] chunk = new byte[8192];
            while (!inflater.finished()) {
                int n = inflater.inflate(chunk);
                if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
                    throw new DataFormatException("truncated ICC profile");
                }
                out.write(chunk, 0, n);
                if (out.size() > (4 << 20)) {
                    throw new DataFormatException("ICC profile over 4 MiB");
                }
            }
            return out.toByteArray();
        } finally {
            inflater.end();
        }
    }

    /** Converts 8-bit samples in {@code profile}'s RGB space to sRGB. */
    private static RgbImage toSrgb(RgbImage image, ICC_Profile profile) {
        int width = image.width();
        int height = image.height();
        WritableRaster samples =
                Raster.createInterleavedRaster(
                        new DataBufferByte(image.pixels().clone(), image.pixels().length),
                        width,
                        height,
                        3 * width,
                        3,
                        new int[] {0, 1, 2},
                        null);
        ColorModel model =
                new ComponentColorModel(
                        new ICC_ColorSpace(profile),
                        false,
                        false,
                        ColorModel.OPAQUE,
                        DataBuffer.TYPE_BYTE);
        BufferedImage tagged = new BufferedImage(model, samples, false, null);
        BufferedImage srgb = new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
        new ColorConvertOp(null).filter(tagged, srgb);
        return toRgb(srgb);
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
            // The colour space is not looked at: these are the samples as stored (or as the reader
            // converted them when asked to).
            byte[] bgr = buffer.getData();
            for (int i = 0; i < out.length; i += 3) {
                out[i] = bgr[i + 2];
                out[i + 1] = bgr[i + 1];
                out[i + 2] = bgr[i];
            }
            return new RgbImage(width, height, out);
        }
        ColorModel model = image.getColorModel();
        int colours = model.getNumColorComponents();
        int spaceType = model.getColorSpace().getType();
        if (model instanceof ComponentColorModel
                && !model.isAlphaPremultiplied()
                && (colours == 1 && spaceType == ColorSpace.TYPE_GRAY
                        || colours == 3 && spaceType == ColorSpace.TYPE_RGB)) {
            // The samples as stored, like Pillow's unpackers: getRGB would put grey through a
            // linear-to-sRGB curve and round 16-bit samples (v * 255 / 65535) where Pillow keeps
            // the high byte. Alpha (the last band) is dropped, not composited.
            int bits = model.getComponentSize(0);
            Raster raster = image.getRaster();
            if (bits == 8 && copyInterleavedBytes(raster, colours, out)) {
                return new RgbImage(width, height, out);
            }
            int[] row = new int[width];
            for (int c = 0; c < 3; c++) {
                int band = colours == 1 ? 0 : c;
                for (int y = 0; y < height; y++) {
                    raster.getSamples(0, y, width, 1, band, row);
                    for (int x = 0; x < width; x++) {
                        out[3 * (y * width + x) + c] = (byte) to8Bits(row[x], bits);
                    }
                }
            }
            return new RgbImage(width, height, out);
        }
        // Palettes (their RGB entries, transparency ignored as Pillow's P -> RGB does), packed
        // BMP layouts, CMYK already converted by its reader.
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
        return new RgbImage(width, height, out);
    }

    /**
     * The samples of an 8-bit raster whose pixels are interleaved in one byte array (what the PNG
     * and JPEG readers give for grey, grey + alpha, RGB and RGBA), copied straight into {@code out}
     * with grey replicated and alpha dropped: the general path's result without a call per band and
     * row. False, with {@code out} untouched, for any other layout.
     */
    static boolean copyInterleavedBytes(Raster raster, int colours, byte[] out) {
        if (!(raster.getSampleModel() instanceof ComponentSampleModel layout)
                || !(raster.getDataBuffer() instanceof DataBufferByte buffer)
                || buffer.getNumBanks() != 1
                || buffer.getOffset() != 0
                || raster.getSampleModelTranslateX() != 0
                || raster.getSampleModelTranslateY() != 0
                || layout.getNumBands() < colours
                || Arrays.stream(layout.getBankIndices()).anyMatch(bank -> bank != 0)) {
            return false;
        }
        byte[] data = buffer.getData();
        int step = layout.getPixelStride();
        int scanline = layout.getScanlineStride();
        int[] bands = layout.getBandOffsets();
        int r = bands[0];
        int g = colours == 1 ? r : bands[1];
        int b = colours == 1 ? r : bands[2];
        int width = raster.getWidth();
        int at = 0;
        for (int y = 0; y < raster.getHeight(); y++) {
            for (int x = 0, in = y * scanline; x < width; x++, in += step) {
                out[at++] = data[in + r];
                out[at++] = data[in + g];
                out[at++] = data[in + b];
            }
        }
        return true;
    }

    /** Pillow's reduction: deeper samples keep their high byte; shallower ones scale exactly. */
    static int to8Bits(int sample, int bits) {
        if (bits == 8) {
            return sample;
        }
        if (bits > 8) {
            return sample >>> (bits - 8);
        }
        int max = (1 << bits) - 1;
        return (sample * 255 + max / 2) / max;
    }

    /** Whether a reader's failure says the data ran out, rather than that it is wrong. */
    static boolean endsEarly(Throwable error) {
        for (Throwable e = error; e != null; e = e.getCause() == e ? null : e.getCause()) {
            if (e instanceof java.io.EOFException) {
                return true;
            }
            String message = e.getMessage() == null ? "" : e.getMessage().toLowerCase(Locale.ROOT);
            if (message.contains("premature end")
                    || message.contains("unexpected end")
                    || message.contains("end of stream")
                    || message.contains("end of file")) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether a file the reader failed on stops before its format's end: a JPEG without an EOI
     * marker after its first SOS (or without any SOS), a PNG without an IEND chunk, a GIF not
     * ending in its trailer, a BMP shorter than its header's file size.
     */
    static boolean endsBeforeItsEnd(byte[] b) {
        int n = b.length;
        if (n >= 2 && (b[0] & 0xff) == 0xff && (b[1] & 0xff) == 0xd8) {
            int sos = indexOf(b, 0, (byte) 0xff, (byte) 0xda);
            return sos < 0 || indexOf(b, sos, (byte) 0xff, (byte) 0xd9) < 0;
        }
        if (n >= 8 && (b[0] & 0xff) == 0x89 && b[1] == 'P' && b[2] == 'N' && b[3] == 'G') {
            return indexOf(b, 8, (byte) 'I', (byte) 'E', (byte) 'N', (byte) 'D') < 0;
        }
        if (n >= 6 && b[0] == 'G' && b[1] == 'I' && b[2] == 'F') {
            return b[n - 1] != 0x3b;
        }
        if (n >= 6 && b[0] == 'B' && b[1] == 'M') {
            long declared =
                    (b[2] & 0xffL)
                            | (b[3] & 0xffL) << 8
                            | (b[4] & 0xffL) << 16
                            | (b[5] & 0xffL) << 24;
            return declared > n;
        }
        return false;
    }

    private static int indexOf(byte[] haystack, int from, byte... needle) {
        outer:
        for (int i = from; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /**
     * Whether the first KiB reads as text (HTML, JSON, an error page): no control bytes but tab,
     * line breaks and form feed. Bytes of 0x80 and above pass, for UTF-8.
     */
    static boolean looksLikeText(byte[] bytes) {
        int n = Math.min(bytes.length, 1024);
        for (int i = 0; i < n; i++) {
            int b = bytes[i] & 0xff;
            if ((b < 0x20 && b != '\t' && b != '\n' && b != '\r' && b != '\f') || b == 0x7f) {
                return false;
            }
        }
        return n > 0;
    }

    /** Image formats written as text, which we do not decode: SVG, ASCII PBM/PGM/PPM. */
    static boolean textImageFormat(byte[] bytes) {
        String head =
                new String(
                                bytes,
                                0,
                                Math.min(bytes.length, 1024),
                                java.nio.charset.StandardCharsets.ISO_8859_1)
                        .stripLeading();
        return head.toLowerCase(Locale.ROOT).contains("<svg") || head.matches("(?s)P[123]\\s.*");
    }

    private static String textHead(byte[] bytes) {
        String text =
                new String(
                        bytes,
                        0,
                        Math.min(bytes.length, 40),
                        java.nio.charset.StandardCharsets.UTF_8);
        return "\"" + text.replaceAll("\\s+", " ").strip() + "\"";
    }

    private static String head(byte[] bytes) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < Math.min(8, bytes.length); i++) {
            sb.append(String.format("%02x", bytes[i] & 0xff));
        }
        return sb.toString();
    }
}
