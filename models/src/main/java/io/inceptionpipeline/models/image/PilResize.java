package io.inceptionpipeline.models.image;

/**
 * Pillow's {@code Image.resize} for 8-bit images (libImaging/Resample.c), bit for bit: separable
 * convolution whose kernel widens with the downscale factor (antialiasing), coefficients in 22-bit
 * fixed point, a horizontal pass rounded to 8 bits, then a vertical pass. timm's and torchvision's
 * eval transforms resize PIL images this way, so matching it makes our crops equal theirs.
 *
 * <p>{@link #resizeCrop} computes only the pixels of a crop window of the resized image: the same
 * values Pillow gives for that window, at a fraction of the work.
 *
 * <p>The sums are Pillow's, computed in another order: a pass adds one tap's weight times a whole
 * line of samples at a time (a source column to an output column, a source row to an output row),
 * so that Java's JIT compiles the inner loop to vector instructions. The tests hold it byte for
 * byte to Pillow's outputs and to a copy of Pillow's own loop order.
 */
public final class PilResize {

    private static final int PRECISION_BITS = 32 - 8 - 2;

    /** Rows per strip of the horizontal pass: a strip's columns stay in the CPU's cache. */
    private static final int STRIP = 32;

    private PilResize() {}

    /** Resizes {@code src} to {@code width × height}. */
    public static RgbImage resize(RgbImage src, int width, int height, Interpolation filter) {
        return resizeCrop(src, width, height, 0, 0, width, height, filter);
    }

    /**
     * The window ({@code left}, {@code top}, {@code cropWidth × cropHeight}) of {@code src} resized
     * to {@code width × height}.
     */
    public static RgbImage resizeCrop(
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

        int rowCount = lastRow - firstRow;
        int[][] rows =
                horizontal == null
                        ? samples(src, firstRow, rowCount, left, cropWidth)
                        : horizontalPass(src, horizontal, firstRow, rowCount);
        if (vertical == null) {
            return new RgbImage(cropWidth, cropHeight, bytes(rows));
        }
        return new RgbImage(cropWidth, cropHeight, verticalPass(rows, vertical, firstRow));
    }

    // The passes work on int samples, one array per row or column of pixels, so that each tap is
    // a loop over two whole int arrays (accumulate), which the JIT turns into vector instructions.
    // Java 17's JIT vectorizes neither a loop that mixes bytes and ints nor one that indexes two
    // arrays at different offsets.

    /** Columns [left, left + cropWidth) of source rows [firstRow, firstRow + rowCount). */
    private static int[][] samples(
            RgbImage src, int firstRow, int rowCount, int left, int cropWidth) {
        byte[] in = src.pixels();
        int[][] rows = new int[rowCount][cropWidth * 3];
        for (int y = 0; y < rowCount; y++) {
            int from = ((firstRow + y) * src.width() + left) * 3;
            for (int j = 0; j < rows[y].length; j++) {
                rows[y][j] = in[from + j] & 0xff;
            }
        }
        return rows;
    }

    /**
     * Pillow's horizontal pass over source rows [firstRow, firstRow + rowCount), for the output
     * columns {@code h} describes. Computed a strip of {@link #STRIP} rows at a time on the strip's
     * columns, so that each tap adds a whole source column to a whole output column.
     */
    private static int[][] horizontalPass(
            RgbImage src, Coefficients h, int firstRow, int rowCount) {
        int firstColumn = Integer.MAX_VALUE;
        int lastColumn = 0;
        for (int x = 0; x < h.min.length; x++) {
            firstColumn = Math.min(firstColumn, h.min[x]);
            lastColumn = Math.max(lastColumn, h.min[x] + h.count[x]);
        }
        int[][] rows = new int[rowCount][h.min.length * 3];
        int[][] columns = new int[lastColumn - firstColumn][STRIP * 3];
        int[] sum = new int[STRIP * 3];
        for (int y0 = 0; y0 < rowCount; y0 += STRIP) {
            int strip = Math.min(STRIP, rowCount - y0);
            readColumns(src, firstRow + y0, strip, firstColumn, columns);
            for (int x = 0; x < h.min.length; x++) {
                weightedSum(columns, h.min[x] - firstColumn, h, x, sum);
                for (int y = 0; y < strip; y++) {
                    int[] row = rows[y0 + y];
                    row[x * 3] = sum[y * 3];
                    row[x * 3 + 1] = sum[y * 3 + 1];
                    row[x * 3 + 2] = sum[y * 3 + 2];
                }
            }
        }
        return rows;
    }

    /**
     * Pillow's vertical pass: output row y is the weighted sum of its source rows. {@code rows}
     * begins at source row {@code firstRow}.
     */
    private static byte[] verticalPass(int[][] rows, Coefficients v, int firstRow) {
        int stride = rows[0].length;
        byte[] out = new byte[v.min.length * stride];
        int[] sum = new int[stride];
        for (int y = 0; y < v.min.length; y++) {
            weightedSum(rows, v.min[y] - firstRow, v, y, sum);
            for (int s = 0; s < stride; s++) {
                out[y * stride + s] = (byte) sum[s];
            }
        }
        return out;
    }

    /**
     * Output line {@code j} of a pass, into {@code sum}: lines {@code first, first + 1, …} of
     * {@code lines} weighted by {@code c}'s coefficients for j, rounded and clipped to 0..255.
     */
    private static void weightedSum(int[][] lines, int first, Coefficients c, int j, int[] sum) {
        int k = j * c.ksize;
        start(sum, lines[first], c.weights[k]);
        for (int i = 1; i < c.count[j]; i++) {
            accumulate(sum, lines[first + i], c.weights[k + i]);
        }
        for (int s = 0; s < sum.length; s++) {
            sum[s] = Math.min(Math.max(sum[s] >> PRECISION_BITS, 0), 255); // Pillow's clip8
        }
    }

    /** {@code acc = rounding + weight × line}, element by element. */
    private static void start(int[] acc, int[] line, int weight) {
        for (int k = 0; k < acc.length; k++) {
            acc[k] = (1 << (PRECISION_BITS - 1)) + line[k] * weight;
        }
    }

    /** {@code acc += weight × line}, element by element. */
    private static void accumulate(int[] acc, int[] line, int weight) {
        for (int k = 0; k < acc.length; k++) {
            acc[k] += line[k] * weight;
        }
    }

    /**
     * Source rows [firstRow, firstRow + strip) of the columns from {@code firstColumn} on, into
     * {@code columns}: one array per column of pixels, holding its rows' R, G, B samples top to
     * bottom. (A last, shorter strip leaves earlier rows' samples after its own; they are never
     * read back.)
     */
    private static void readColumns(
            RgbImage src, int firstRow, int strip, int firstColumn, int[][] columns) {
        byte[] in = src.pixels();
        int stride = src.width() * 3;
        for (int x = 0; x < columns.length; x++) {
            int[] column = columns[x];
            int at = firstRow * stride + (firstColumn + x) * 3;
            for (int y = 0; y < strip; y++, at += stride) {
                column[y * 3] = in[at] & 0xff;
                column[y * 3 + 1] = in[at + 1] & 0xff;
                column[y * 3 + 2] = in[at + 2] & 0xff;
            }
        }
    }

    /** Rows of samples, one after another, as bytes. */
    private static byte[] bytes(int[][] rows) {
        byte[] out = new byte[rows.length * rows[0].length];
        int at = 0;
        for (int[] row : rows) {
            for (int sample : row) {
                out[at++] = (byte) sample;
            }
        }
        return out;
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
