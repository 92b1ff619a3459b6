package io.inceptionpipeline.operators.decode;

import io.inceptionpipeline.models.image.RgbImage;

/**
 * The EXIF orientation of a JPEG (tag 0x0112 of IFD0 in the APP1 "Exif" segment) and the transform
 * that shows the image upright, as Pillow's {@code ImageOps.exif_transpose} does. Phones store
 * portraits sideways with orientation 6 or 8; scoring them unrotated costs accuracy.
 */
public final class ExifOrientation {

    private ExifOrientation() {}

    /** The orientation 1..8 of a JPEG, 1 when absent, unreadable or not a JPEG. */
    public static int read(byte[] jpeg) {
        if (jpeg.length < 4 || (jpeg[0] & 0xff) != 0xFF || (jpeg[1] & 0xff) != 0xD8) {
            return 1;
        }
        int at = 2;
        while (at + 4 <= jpeg.length && (jpeg[at] & 0xff) == 0xFF) {
            int marker = jpeg[at + 1] & 0xff;
            if (marker == 0xDA || marker == 0xD9) { // start of scan, end of image: no more metadata
                return 1;
            }
            int length = u16(jpeg, at + 2, true);
            if (length < 2 || at + 2 + length > jpeg.length) {
                return 1;
            }
            if (marker == 0xE1 && length >= 8 && startsWithExif(jpeg, at + 4)) {
                int orientation = fromTiff(jpeg, at + 10, at + 2 + length);
                if (orientation >= 1 && orientation <= 8) {
                    return orientation;
                }
                return 1;
            }
            at += 2 + length;
        }
        return 1;
    }

    private static boolean startsWithExif(byte[] b, int at) {
        return b[at] == 'E'
                && b[at + 1] == 'x'
                && b[at + 2] == 'i'
                && b[at + 3] == 'f'
                && b[at + 4] == 0
                && b[at + 5] == 0;
    }

    private static int fromTiff(byte[] b, int tiff, int end) {
        if (tiff + 8 > end) {
            return 1;
        }
        boolean bigEndian;
        if (b[tiff] == 'M' && b[tiff + 1] == 'M') {
            bigEndian = true;
        } else if (b[tiff] == 'I' && b[tiff + 1] == 'I') {
            bigEndian = false;
        } else {
            return 1;
        }
        long ifd = tiff + u32(b, tiff + 4, bigEndian);
        if (ifd + 2 > end) {
            return 1;
        }
        int entries = u16(b, (int) ifd, bigEndian);
        for (int i = 0; i < entries; i++) {
            long entry = ifd + 2 + 12L * i;
            if (entry + 12 > end) {
                return 1;
            }
            if (u16(b, (int) entry, bigEndian) == 0x0112
                    && u16(b, (int) entry + 2, bigEndian) == 3) {
                return u16(b, (int) entry + 8, bigEndian);
            }
        }
        return 1;
    }

    private static int u16(byte[] b, int at, boolean bigEndian) {
        int hi = b[bigEndian ? at : at + 1] & 0xff;
        int lo = b[bigEndian ? at + 1 : at] & 0xff;
        return hi << 8 | lo;
    }

    private static long u32(byte[] b, int at, boolean bigEndian) {
        long hi = u16(b, bigEndian ? at : at + 2, bigEndian);
        long lo = u16(b, bigEndian ? at + 2 : at, bigEndian);
        return hi << 16 | lo;
    }

    /** {@code image} turned upright for {@code orientation}. */
    public static RgbImage apply(RgbImage image, int orientation) {
        if (orientation <= 1 || orientation > 8) {
            return image;
        }
        int w = image.width();
        int h = image.height();
        boolean swap = orientation >= 5;
        int outW = swap ? h : w;
        int outH = swap ? w : h;
        byte[] src = image.pixels();
        byte[] out = new byte[src.length];
        for (int y = 0; y < outH; y++) {
            for (int x = 0; x < outW; x++) {
                int sx;
                int sy;
                switch (orientation) {
                    case 2:
                        sx = w - 1 - x;
                        sy = y;
                        break; // mirror horizontal
                    case 3:
                        sx = w - 1 - x;
                        sy = h - 1 - y;
                        break; // rotate 180
                    case 4:
                        sx = x;
                        sy = h - 1 - y;
                        break; // mirror vertical
                    case 5:
                        sx = y;
                        sy = x;
                        break; // transpose
                    case 6:
                        sx = y;
                        sy = h - 1 - x;
                        break; // rotate 90 clockwise
                    case 7:
                        sx = w - 1 - y;
                        sy = h - 1 - x;
                        break; // transverse
                    default:
                        sx = w - 1 - y;
                        sy = x;
                        break; // 8: rotate 90 counter-clockwise
                }
                System.arraycopy(src, 3 * (sy * w + sx), out, 3 * (y * outW + x), 3);
            }
        }
        return new RgbImage(outW, outH, out);
    }
}
