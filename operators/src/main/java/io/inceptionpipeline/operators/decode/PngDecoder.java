package io.inceptionpipeline.operators.decode;

import io.inceptionpipeline.models.image.RgbImage;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Decodes the common PNG straight from its bytes, without ImageIO: non-interlaced, 8 bits per
 * sample, any colour type (grey, RGB, 8-bit palette, grey + alpha, RGBA), all five row filters.
 * ImageIO's reader costs 2 to 9 ms a photo on one core, several times the work itself (inflate,
 * unfilter, pack), and that time is taken from inference on a small machine.
 *
 * <p>The pixels are {@link ImageDecoder}'s, byte for byte (Pillow's {@code convert("RGB")}: grey
 * replicated, alpha dropped, a palette's RGB entries whatever its transparency), and this path
 * never fails where the ImageIO path would not: {@link #decode} returns null for anything else or
 * anything unusual (another bit depth, interlacing, a palette index past the palette, a bad filter
 * byte, image data that is short, long, cut or followed by more, a chunk the JDK's reader would
 * refuse or use, an iCCP profile that {@link IccMode#CONVERT} would apply), and the caller then
 * decodes with ImageIO, which gives its own result or error as before.
 *
 * <p>Inflating never writes more than the image's own size plus one byte (to notice excess data),
 * so a decompression bomb costs no more than the pixel count the caller has already capped.
 */
final class PngDecoder {

    private static final int IHDR = 0x49484452;
    private static final int PLTE = 0x504c5445;
    private static final int IDAT = 0x49444154;
    private static final int IEND = 0x49454e44;
    private static final int TRNS = 0x74524e53;
    private static final int ICCP = 0x69434350;
    private static final int BKGD = 0x624b4744;
    private static final int CHRM = 0x6348524d;
    private static final int GAMA = 0x67414d41;
    private static final int HIST = 0x68495354;
    private static final int ITXT = 0x69545874;
    private static final int PHYS = 0x70485973;
    private static final int SBIT = 0x73424954;
    private static final int SPLT = 0x73504c54;
    private static final int SRGB = 0x73524742;
    private static final int TEXT = 0x74455874;
    private static final int TIME = 0x74494d45;
    private static final int ZTXT = 0x7a545874;

    private static final int GREY = 0;
    private static final int RGB = 2;
    private static final int PALETTE = 3;
    private static final int GREY_ALPHA = 4;
    private static final int RGBA = 6;

    /** The tEXt keyword the JDK's reader parses as a date. */
    private static final byte[] CREATION_TIME =
            "Creation Time".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);

    /** Largest array the JVM allocates, with room to spare. */
    private static final long MAX_ARRAY = Integer.MAX_VALUE - 16;

    private PngDecoder() {}

    /**
     * The image, or null when this path does not take {@code png} (not a PNG, not the common case,
     * or anything unusual): the caller then decodes it with ImageIO.
     */
    static RgbImage decode(byte[] png, IccMode icc) {
        try {
            Layout layout = layout(png, icc);
            return layout == null ? null : pixels(png, layout);
        } catch (DataFormatException | RuntimeException e) {
            return null; // the ImageIO path decides, with its own reason
        }
    }

    /** What {@link #layout} found: the header's fields, the palette and the first IDAT chunk. */
    private record Layout(
            int width, int height, int colourType, int channels, byte[] palette, int firstIdat) {}

    /**
     * Reads the header and walks the chunks; null unless this path gives exactly what the JDK's
     * reader would. That reader skips everything but tRNS before the image data when it ignores
     * metadata (IGNORE, except for palettes); otherwise it parses every chunk up to IEND and fails
     * on a known chunk that is not the length it reads, so there only well-formed chunks pass.
     */
    private static Layout layout(byte[] png, IccMode icc) {
        if (png.length < 8 + 25 + 12 || !ImageHeaders.isPng(png) || i32(png, 8) != 13) {
            return null;
        }
        if (i32(png, 12) != IHDR) {
            return null;
        }
        long width = u32(png, 16);
        long height = u32(png, 20);
        int bitDepth = png[24] & 0xff;
        int colourType = png[25] & 0xff;
        boolean plain = png[26] == 0 && png[27] == 0 && png[28] == 0; // deflate, filter 0, no Adam7
        int channels = channels(colourType);
        if (width == 0
                || height == 0
                || width > Integer.MAX_VALUE
                || height > Integer.MAX_VALUE
                || bitDepth != 8
                || !plain
                || channels == 0
                || width * height > MAX_ARRAY / 5
                || (width * channels + 1) * height > MAX_ARRAY) {
            return null;
        }
        boolean allMetadata = colourType == PALETTE || icc == IccMode.CONVERT;
        byte[] palette = null;
        int firstIdat = -1;
        boolean idatRunOver = false;
        int at = 33;
        while (true) {
            if (at + 12 > png.length) {
                return null;
            }
            long length = u32(png, at);
            if (length > png.length - at - 12) {
                return null;
            }
            int type = i32(png, at + 4);
            int data = at + 8;
            int n = (int) length;
            if (type == IEND) {
                break;
            }
            if (type == IDAT) {
                if (idatRunOver) {
                    return null; // the JDK's reader stops at the first gap
                }
                if (firstIdat < 0) {
                    firstIdat = at;
                }
            } else {
                idatRunOver = firstIdat >= 0;
                if (type == PLTE) {
                    if (palette != null || firstIdat >= 0 || n == 0 || n % 3 != 0 || n > 768) {
                        return null;
                    }
                    if (colourType == GREY || colourType == GREY_ALPHA) {
                        return null;
                    }
                    palette = new byte[n];
                    System.arraycopy(png, data, palette, 0, n);
                } else if (type == TRNS) {
                    // Grey + alpha and RGBA may not have one (the JDK's reader then loses its
                    // place); a palette's must follow PLTE.
                    if (colourType == GREY_ALPHA
                            || colourType == RGBA
                            || colourType == PALETTE && palette == null) {
                        return null;
                    }
                } else if (type == ICCP && icc == IccMode.CONVERT) {
                    return null; // the ImageIO path converts with the profile
                } else if (!ancillary(type)) {
                    return null;
                } else if (allMetadata && !wellFormed(type, png, data, n, colourType, icc)) {
                    return null;
                }
            }
            at = data + n + 4;
        }
        if (firstIdat < 0 || colourType == PALETTE && palette == null) {
            return null;
        }
        return new Layout((int) width, (int) height, colourType, channels, palette, firstIdat);
    }

    /**
     * Whether a chunk passes the JDK reader's full metadata parse: known fixed-size chunks of their
     * size, text and profile chunks with a keyword it can read, and unknown ancillary chunks (kept
     * as bytes), with values the metadata tree can name. Rarer chunks it validates further (hIST,
     * sPLT) and compressed text it would inflate (under CONVERT) are left to it.
     */
    private static boolean wellFormed(
            int type, byte[] png, int data, int n, int colourType, IccMode icc) {
        boolean grey = colourType == GREY || colourType == GREY_ALPHA;
        return switch (type) {
            case BKGD -> n == (colourType == PALETTE ? 1 : grey ? 2 : 6);
            case CHRM -> n == 32;
            case GAMA -> n == 4;
            // Their enumerated values index arrays when CONVERT reads the metadata tree.
            case PHYS -> n == 9 && (png[data + 8] & 0xff) <= 1;
            case SRGB -> n == 1 && (png[data] & 0xff) <= 3;
            case TIME -> n == 7;
            case SBIT -> n == channels(colourType) + (colourType == PALETTE ? 2 : 0);
            case ICCP -> keywordLength(png, data, n) >= 0 && n - keywordLength(png, data, n) > 2;
            case TEXT -> keywordLength(png, data, n) >= 0 && !creationTime(png, data, n);
            case ITXT, ZTXT -> icc == IccMode.IGNORE; // skipped when metadata is ignored
            case HIST, SPLT -> false;
            default -> true;
        };
    }

    /** Length of the NUL-terminated keyword a chunk opens with (at most 79), or -1. */
    private static int keywordLength(byte[] png, int data, int n) {
        for (int i = 0; i < Math.min(n, 80); i++) {
            if (png[data + i] == 0) {
                return i;
            }
        }
        return -1;
    }

    /** A tEXt "Creation Time", which the JDK's reader goes on to parse as a date. */
    private static boolean creationTime(byte[] png, int data, int n) {
        byte[] key = CREATION_TIME;
        if (keywordLength(png, data, n) != key.length) {
            return false;
        }
        for (int i = 0; i < key.length; i++) {
            if (png[data + i] != key[i]) {
                return false;
            }
        }
        return true;
    }

    /** An ancillary chunk: a lower-case first letter. Unknown critical chunks are refused. */
    private static boolean ancillary(int type) {
        int first = type >>> 24;
        return first >= 'a' && first <= 'z';
    }

    /**
     * Inflates the IDAT chunks into the scanlines (exactly their size: the stream must end there),
     * unfilters them in place and packs RGB; null if anything is off. One inflate call for the
     * whole image: row by row costs a native call per row (3.1 instead of 2.6 ms of inflating
     * samples/images/chelsea.png on dev-2c-xeon).
     */
    private static RgbImage pixels(byte[] png, Layout layout) throws DataFormatException {
        int width = layout.width();
        int height = layout.height();
        int bpp = layout.channels();
        int stride = 1 + width * bpp; // the filter type byte, then the row
        byte[] scanlines = new byte[stride * height];
        Inflater inflater = new Inflater();
        try {
            IdatStream idat = new IdatStream(png, layout.firstIdat(), inflater);
            if (!idat.fill(scanlines) || !idat.endsHere()) {
                return null; // short, long, cut, followed by more, or corrupt
            }
        } finally {
            inflater.end();
        }
        byte[] palette = layout.palette();
        int entries = palette == null ? 0 : palette.length / 3;
        byte[] out = new byte[3 * width * height];
        byte[] zeros = new byte[stride]; // the row above the first
        for (int y = 0; y < height; y++) {
            int at = y * stride;
            boolean first = y == 0;
            if (!unfilter(
                    scanlines,
                    at,
                    first ? zeros : scanlines,
                    first ? 0 : at - stride,
                    bpp,
                    stride - 1)) {
                return null;
            }
            if (!pack(scanlines, at + 1, layout.colourType(), width, palette, entries, out, y)) {
                return null;
            }
        }
        return new RgbImage(width, height, out);
    }

    /** The zlib stream across consecutive IDAT chunks, fed to the inflater chunk by chunk. */
    private static final class IdatStream {
        private final byte[] png;
        private final Inflater inflater;
        private int next; // the next chunk, once the inflater has consumed the current one

        IdatStream(byte[] png, int firstIdat, Inflater inflater) {
            this.png = png;
            this.next = firstIdat;
            this.inflater = inflater;
        }

        /** Fills {@code buffer}; false if the data ends first. */
        boolean fill(byte[] buffer) throws DataFormatException {
            int n = buffer.length;
            int done = 0;
            while (done < n) {
                int got = inflater.inflate(buffer, done, n - done);
                done += got;
                if (got == 0 && !moreInput()) {
                    return false;
                }
            }
            return true;
        }

        /**
         * Whether the stream ends exactly after the image: no further inflated byte, the zlib
         * stream finished (its checksum verified), and no compressed bytes or IDAT data after it.
         */
        boolean endsHere() throws DataFormatException {
            byte[] one = new byte[1];
            while (!inflater.finished()) {
                if (inflater.inflate(one) > 0 || !inflater.finished() && !moreInput()) {
                    return false;
                }
            }
            if (inflater.getRemaining() > 0) {
                return false;
            }
            for (int at = next; i32(png, at + 4) == IDAT; at += 12 + i32(png, at)) {
                if (i32(png, at) != 0) {
                    return false;
                }
            }
            return true;
        }

        /** Gives the inflater the next IDAT chunk's data when it needs some; false when stuck. */
        private boolean moreInput() {
            if (inflater.finished() || inflater.needsDictionary() || !inflater.needsInput()) {
                return false;
            }
            if (i32(png, next + 4) != IDAT) {
                return false;
            }
            int length = i32(png, next);
            inflater.setInput(png, next + 8, length);
            next += 12 + length;
            return true;
        }
    }

    /**
     * Reverses the row's filter in place ({@code row[1..n]}); false for an unknown filter type.
     * Average and Paeth run per channel with the left and upper-left bytes in locals: each byte
     * depends on its left neighbour, and reading it back from the array costs a store-to-load round
     * trip per byte. RGB rows, the common photo, run their three channels interleaved.
     */
    static boolean unfilter(byte[] rows, int at, byte[] above, int aboveAt, int bpp, int n) {
        // Byte i of the row is rows[at + i] (1 <= i <= n), the byte above it above[aboveAt + i].
        switch (rows[at]) {
            case 0 -> {}
            case 1 -> {
                for (int i = at + 1 + bpp; i <= at + n; i++) {
                    rows[i] += rows[i - bpp];
                }
            }
            case 2 -> {
                for (int i = 1; i <= n; i++) {
                    rows[at + i] += above[aboveAt + i];
                }
            }
            case 3 -> {
                for (int k = 1; k <= bpp; k++) {
                    int a = (rows[at + k] += (byte) ((above[aboveAt + k] & 0xff) >>> 1)) & 0xff;
                    for (int i = k + bpp; i <= n; i += bpp) {
                        a = (rows[at + i] + ((a + (above[aboveAt + i] & 0xff)) >>> 1)) & 0xff;
                        rows[at + i] = (byte) a;
                    }
                }
            }
            case 4 -> {
                if (bpp == 3) {
                    paethRgb(rows, at, above, aboveAt, n);
                } else {
                    paeth(rows, at, above, aboveAt, bpp, n);
                }
            }
            default -> {
                return false;
            }
        }
        return true;
    }

    private static void paeth(byte[] rows, int at, byte[] above, int aboveAt, int bpp, int n) {
        for (int k = 1; k <= bpp; k++) {
            // No left neighbour for the first pixel: Paeth predicts the byte above.
            int a = (rows[at + k] += above[aboveAt + k]) & 0xff;
            int c = above[aboveAt + k] & 0xff;
            for (int i = k + bpp; i <= n; i += bpp) {
                int b = above[aboveAt + i] & 0xff;
                a = (rows[at + i] + predictor(a, b, c)) & 0xff;
                rows[at + i] = (byte) a;
                c = b;
            }
        }
    }

    private static void paethRgb(byte[] rows, int at, byte[] above, int aboveAt, int n) {
        int r = (rows[at + 1] += above[aboveAt + 1]) & 0xff;
        int g = (rows[at + 2] += above[aboveAt + 2]) & 0xff;
        int b = (rows[at + 3] += above[aboveAt + 3]) & 0xff;
        int upR = above[aboveAt + 1] & 0xff;
        int upG = above[aboveAt + 2] & 0xff;
        int upB = above[aboveAt + 3] & 0xff;
        for (int i = 4; i + 2 <= n; i += 3) {
            int aboveR = above[aboveAt + i] & 0xff;
            int aboveG = above[aboveAt + i + 1] & 0xff;
            int aboveB = above[aboveAt + i + 2] & 0xff;
            r = (rows[at + i] + predictor(r, aboveR, upR)) & 0xff;
            g = (rows[at + i + 1] + predictor(g, aboveG, upG)) & 0xff;
            b = (rows[at + i + 2] + predictor(b, aboveB, upB)) & 0xff;
            rows[at + i] = (byte) r;
            rows[at + i + 1] = (byte) g;
            rows[at + i + 2] = (byte) b;
            upR = aboveR;
            upG = aboveG;
            upB = aboveB;
        }
    }

    /**
     * The Paeth predictor of left {@code a}, above {@code b} and upper-left {@code c}, with the
     * specification's tie order; written with min and conditional moves the JIT compiles without
     * branches (photo data makes them unpredictable).
     */
    private static int predictor(int a, int b, int c) {
        int pa = Math.abs(b - c); // |p - a| with p = a + b - c
        int pb = Math.abs(a - c);
        int pc = Math.abs(a + b - c - c);
        int bOrC = pb <= pc ? b : c;
        return pa <= Math.min(pb, pc) ? a : bOrC;
    }

    /**
     * Writes row {@code y} (from {@code rows[at]}) as packed RGB; false for an index past the
     * palette.
     */
    private static boolean pack(
            byte[] rows,
            int at,
            int colourType,
            int width,
            byte[] palette,
            int entries,
            byte[] out,
            int y) {
        int o = 3 * width * y;
        switch (colourType) {
            case GREY -> {
                for (int i = at; i < at + width; i++, o += 3) {
                    byte g = rows[i];
                    out[o] = g;
                    out[o + 1] = g;
                    out[o + 2] = g;
                }
            }
            case RGB -> System.arraycopy(rows, at, out, o, 3 * width);
            case PALETTE -> {
                for (int i = at; i < at + width; i++, o += 3) {
                    int index = rows[i] & 0xff;
                    if (index >= entries) {
                        return false; // the JDK pads the palette, Pillow does otherwise
                    }
                    out[o] = palette[3 * index];
                    out[o + 1] = palette[3 * index + 1];
                    out[o + 2] = palette[3 * index + 2];
                }
            }
            case GREY_ALPHA -> {
                for (int i = at; i < at + 2 * width; i += 2, o += 3) {
                    byte g = rows[i];
                    out[o] = g;
                    out[o + 1] = g;
                    out[o + 2] = g;
                }
            }
            default -> { // RGBA
                for (int i = at; i < at + 4 * width; i += 4, o += 3) {
                    out[o] = rows[i];
                    out[o + 1] = rows[i + 1];
                    out[o + 2] = rows[i + 2];
                }
            }
        }
        return true;
    }

    /** Samples per pixel of an 8-bit colour type; 0 for an unknown one. */
    private static int channels(int colourType) {
        return switch (colourType) {
            case GREY, PALETTE -> 1;
            case RGB -> 3;
            case GREY_ALPHA -> 2;
            case RGBA -> 4;
            default -> 0;
        };
    }

    private static long u32(byte[] b, int at) {
        return i32(b, at) & 0xffffffffL;
    }

    private static int i32(byte[] b, int at) {
        return (b[at] & 0xff) << 24
                | (b[at + 1] & 0xff) << 16
                | (b[at + 2] & 0xff) << 8
                | (b[at + 3] & 0xff);
    }
}
