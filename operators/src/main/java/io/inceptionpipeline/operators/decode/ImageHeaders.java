package io.inceptionpipeline.operators.decode;

import java.util.zip.CRC32;

/**
 * What an encoded image's own header declares, read from the bytes before any image reader sees
 * them: the pixel size (PNG, JPEG, GIF, BMP, WebP), so the pixel cap applies whatever a reader
 * would allocate or refuse first, and the integrity of a PNG's critical chunks, whose CRCs the
 * JDK's reader ignores (libpng and Pillow refuse a wrong one).
 */
final class ImageHeaders {

    private ImageHeaders() {}

    /** Width and height the header declares, or null when the format or header is not known. */
    static long[] declaredSize(byte[] b) {
        int n = b.length;
        if (n >= 24 && isPng(b) && b[12] == 'I' && b[13] == 'H' && b[14] == 'D' && b[15] == 'R') {
            return new long[] {u32be(b, 16), u32be(b, 20)};
        }
        if (n >= 4 && (b[0] & 0xff) == 0xff && (b[1] & 0xff) == 0xd8) {
            return jpegSize(b);
        }
        if (n >= 10 && b[0] == 'G' && b[1] == 'I' && b[2] == 'F') {
            return new long[] {u16le(b, 6), u16le(b, 8)};
        }
        if (n >= 26 && b[0] == 'B' && b[1] == 'M') {
            long header = u32le(b, 14);
            if (header == 12) { // OS/2 BITMAPCOREHEADER: 16-bit sizes
                return new long[] {u16le(b, 18), u16le(b, 20)};
            }
            // BITMAPINFOHEADER and later: signed 32-bit; a negative height means top-down
            return new long[] {
                Math.abs((long) (int) u32le(b, 18)), Math.abs((long) (int) u32le(b, 22))
            };
        }
        if (n >= 30
                && b[0] == 'R'
                && b[1] == 'I'
                && b[2] == 'F'
                && b[3] == 'F'
                && b[8] == 'W'
                && b[9] == 'E'
                && b[10] == 'B'
                && b[11] == 'P') {
            return webpSize(b);
        }
        return null;
    }

    private static long[] jpegSize(byte[] b) {
        int i = 2;
        while (i + 3 < b.length) {
            if ((b[i] & 0xff) != 0xff) {
                return null; // not at a marker: leave it to the reader
            }
            int marker = b[i + 1] & 0xff;
            if (marker == 0xff) { // fill byte
                i++;
                continue;
            }
            if (marker == 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
                i += 2; // markers without a length
                continue;
            }
            if (marker == 0xda || marker == 0xd9) {
                return null; // scan or end before any frame header
            }
            int length = u16be(b, i + 2);
            boolean frame =
                    marker >= 0xc0
                            && marker <= 0xcf
                            && marker != 0xc4
                            && marker != 0xc8
                            && marker != 0xcc;
            if (frame) {
                if (i + 8 >= b.length) {
                    return null;
                }
                return new long[] {u16be(b, i + 7), u16be(b, i + 5)};
            }
            i += 2 + length;
        }
        return null;
    }

    private static long[] webpSize(byte[] b) {
        if (b[12] == 'V' && b[13] == 'P' && b[14] == '8') {
            if (b[15] == ' ' && b.length >= 30) { // lossy: 14-bit sizes after the start code
                return new long[] {u16le(b, 26) & 0x3fff, u16le(b, 28) & 0x3fff};
            }
            if (b[15] == 'L' && b.length >= 25) { // lossless: 14-bit sizes minus one, packed
                long bits = u32le(b, 21);
                return new long[] {(bits & 0x3fff) + 1, ((bits >> 14) & 0x3fff) + 1};
            }
            if (b[15] == 'X' && b.length >= 30) { // extended: 24-bit canvas sizes minus one
                return new long[] {u24le(b, 24) + 1, u24le(b, 27) + 1};
            }
        }
        return null;
    }

    /**
     * Checks the chunk structure of a PNG: every critical chunk (IHDR, PLTE, IDAT, IEND: an
     * upper-case first letter) must carry a correct CRC, and no chunk may run past the end.
     */
    static void checkPngChunks(byte[] b) throws DecodeException {
        if (b.length < 8 || !isPng(b)) {
            return;
        }
        int i = 8;
        while (i < b.length) {
            if (i + 8 > b.length) {
                throw new DecodeException(
                        DecodeException.Reason.TRUNCATED,
                        "The image is truncated (a PNG chunk header is cut at byte " + i + ")");
            }
            long length = u32be(b, i);
            String type = new String(b, i + 4, 4, java.nio.charset.StandardCharsets.ISO_8859_1);
            if (length > Integer.MAX_VALUE || i + 12 + length > b.length) {
                throw new DecodeException(
                        DecodeException.Reason.TRUNCATED,
                        "The image is truncated (PNG chunk " + type + " runs past the end)");
            }
            boolean critical = Character.isUpperCase(type.charAt(0));
            if (critical) {
                CRC32 crc = new CRC32();
                crc.update(b, i + 4, 4 + (int) length);
                if (crc.getValue() != u32be(b, i + 8 + (int) length)) {
                    throw new DecodeException(
                            DecodeException.Reason.CORRUPT,
                            "PNG chunk " + type + " has a wrong CRC: the data is corrupt");
                }
            }
            if (type.equals("IEND")) {
                return;
            }
            i += 12 + (int) length;
        }
        throw new DecodeException(
                DecodeException.Reason.TRUNCATED, "The image is truncated (PNG without IEND)");
    }

    /** Whether {@code b} (at least 8 bytes) opens with the PNG signature. */
    static boolean isPng(byte[] b) {
        return (b[0] & 0xff) == 0x89
                && b[1] == 'P'
                && b[2] == 'N'
                && b[3] == 'G'
                && b[4] == 0x0d
                && b[5] == 0x0a
                && b[6] == 0x1a
                && b[7] == 0x0a;
    }

    private static long u32be(byte[] b, int at) {
        return (b[at] & 0xffL) << 24
                | (b[at + 1] & 0xffL) << 16
                | (b[at + 2] & 0xffL) << 8
                | (b[at + 3] & 0xffL);
    }

    private static int u16be(byte[] b, int at) {
        return (b[at] & 0xff) << 8 | (b[at + 1] & 0xff);
    }

    private static long u32le(byte[] b, int at) {
        return (b[at] & 0xffL)
                | (b[at + 1] & 0xffL) << 8
                | (b[at + 2] & 0xffL) << 16
                | (b[at + 3] & 0xffL) << 24;
    }

    private static long u24le(byte[] b, int at) {
        return (b[at] & 0xffL) | (b[at + 1] & 0xffL) << 8 | (b[at + 2] & 0xffL) << 16;
    }

    private static int u16le(byte[] b, int at) {
        return (b[at] & 0xff) | (b[at + 1] & 0xff) << 8;
    }
}
