package io.inceptionpipeline.models.image;

/**
 * The first version of {@link PilResize}, kept as the tests' oracle: Pillow's loops as they read in
 * libImaging/Resample.c, one output sample at a time. {@code PilResize} computes the same sums in
 * another order (whole rows and columns per tap, so that the JIT vectorizes them); this one says
 * what they are.
 *
 * <p>Pillow's {@code Image.resize} for 8-bit images (libImaging/Resample.c), bit for bit: separable
 * convolution whose kernel widens with the downscale factor (antialiasing), coefficients in 22-bit
 * fixed point, a horizontal pass rounded to 8 bits, then a vertical pass. timm's and torchvision's
 * eval transforms resize PIL images this way, so matching it makes our crops equal theirs.
 *
 * <p>{@link #resizeCrop} computes only the pixels of a crop window of the resized image: the same
 * values Pillow gives for that window, at a fraction of the work.
 */
final class PilResizeReference {

    private static final int PRECISION_BITS = 32 - 8 - 2;

    private PilResizeReference() {}

    /** Resizes {@code src} to {@code width × height}. */
    static RgbImage resize(RgbImage src, int width, int height, Interpolation filter) {
        return resizeCrop(src, width, height, 0, 0, width, height, filter);
    }

    /**
     * The window ({@code left}, {@code top}, {@code cropWidth × cropHeight}) of {@code src} resized
     * to {@code width × height}.
     */
    static RgbImage resizeCrop(
            RgbImage src,
            int width,
            int height,
            int left,
            int top,
            int cropWidth,
            int cropHeight,
            Interpolation filter) {
        if (left < 0
                || top < 0
                || left + cropWidth > width
                || top + cropHeight > height
                || cropWidth <= 0
                || cropHeight <= 0) {
            throw new IllegalArgumentException(
                    "Crop "
                            + cropWidth
                            + "x"
                            + cropHeight
                            + "+"
                            + left
                            + "+"
                            + top
                            + " is outside the resized "
                            + width
                            + "x"
                            + height
                            + " image");
        }
        Coefficients horizontal =
                src.width() == width
                        ? null
                        : Coefficients.of(src.width(), width, left, cropWidth, filter);
        Coefficients vertical =
                src.height() == height
                        ? null
                        : Coefficients.of(src.height(), height, top, cropHeight, filter);

        // Source rows the vertical pass reads (or the crop rows when there is no vertical pass).
        int firstRow = vertical == null ? top : vertical.min[0];
        int lastRow =
                vertical == null
                        ? top + cropHeight
                        : vertical.min[cropHeight - 1] + vertical.count[cropHeight - 1];

        // Horizontal pass over the rows needed, only for the crop's columns.
        byte[] rows;
        int rowsHeight = lastRow - firstRow;
        if (horizontal == null) {
            rows = new byte[rowsHeight * cropWidth * 3];
            for (int y = 0; y < rowsHeight; y++) {
                System.arraycopy(
                        src.pixels(),
                        ((firstRow + y) * src.width() + left) * 3,
                        rows,
                        y * cropWidth * 3,
                        cropWidth * 3);
            }
        } else {
            rows = new byte[rowsHeight * cropWidth * 3];
            byte[] in = src.pixels();
            for (int y = 0; y < rowsHeight; y++) {
                int rowStart = (firstRow + y) * src.width() * 3;
                for (int x = 0; x < cropWidth; x++) {
                    int min = horizontal.min[x];
                    int count = horizontal.count[x];
                    int k = x * horizontal.ksize;
                    int r = 1 << (PRECISION_BITS - 1);
                    int g = r;
                    int b = r;
                    for (int i = 0; i < count; i++) {
                        int at = rowStart + (min + i) * 3;
                        int w = horizontal.weights[k + i];
                        r += (in[at] & 0xff) * w;
                        g += (in[at + 1] & 0xff) * w;
                        b += (in[at + 2] & 0xff) * w;
                    }
                    int out = (y * cropWidth + x) * 3;
                    rows[out] = clip8(r);
                    rows[out + 1] = clip8(g);
                    rows[out + 2] = clip8(b);
                }
            }
        }
        if (vertical == null) {
            return new RgbImage(cropWidth, cropHeight, rows);
        }

        byte[] out = new byte[cropWidth * cropHeight * 3];
        int stride = cropWidth * 3;
        for (int y = 0; y < cropHeight; y++) {
            int min = vertical.min[y] - firstRow;
            int count = vertical.count[y];
            int k = y * vertical.ksize;
            for (int c = 0; c < stride; c++) {
                int ss = 1 << (PRECISION_BITS - 1);
                for (int i = 0; i < count; i++) {
                    ss += (rows[(min + i) * stride + c] & 0xff) * vertical.weights[k + i];
                }
                out[y * stride + c] = clip8(ss);
            }
        }
        return new RgbImage(cropWidth, cropHeight, out);
    }

    private static byte clip8(int value) {
        if (value >= (1 << PRECISION_BITS << 8)) {
            return (byte) 255;
        }
        if (value <= 0) {
            return 0;
        }
        return (byte) (value >> PRECISION_BITS);
    }

    /** Pillow's precompute_coeffs + normalize_coeffs_8bpc, for output positions [from, from+n). */
    private static final class Coefficients {
        final int ksize;
        final int[] min;
        final int[] count;
        final int[] weights;

        private Coefficients(int ksize, int n) {
            this.ksize = ksize;
            this.min = new int[n];
            this.count = new int[n];
            this.weights = new int[n * ksize];
        }

        static Coefficients of(int inSize, int outSize, int from, int n, Interpolation filter) {
            double scale = (double) inSize / outSize;
            double filterScale = Math.max(scale, 1.0);
            double support = filter.support * filterScale;
            int ksize = (int) Math.ceil(support) * 2 + 1;
            Coefficients c = new Coefficients(ksize, n);
            double[] k = new double[ksize];
            for (int j = 0; j < n; j++) {
                int xx = from + j;
                double center = (xx + 0.5) * scale;
                double ss = 1.0 / filterScale;
                int xmin = Math.max((int) (center - support + 0.5), 0);
                int xmax = Math.min((int) (center + support + 0.5), inSize) - xmin;
                double ww = 0.0;
                for (int x = 0; x < xmax; x++) {
                    double w = filter.filter((x + xmin - center + 0.5) * ss);
                    k[x] = w;
                    ww += w;
                }
                for (int x = 0; x < xmax; x++) {
                    double w = ww != 0.0 ? k[x] / ww : k[x];
                    c.weights[j * ksize + x] =
                            w < 0
                                    ? (int) (-0.5 + w * (1 << PRECISION_BITS))
                                    : (int) (0.5 + w * (1 << PRECISION_BITS));
                }
                c.min[j] = xmin;
                c.count[j] = xmax;
            }
            return c;
        }
    }
}
