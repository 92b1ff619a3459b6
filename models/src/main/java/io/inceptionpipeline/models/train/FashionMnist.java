package io.inceptionpipeline.models.train;

import io.inceptionpipeline.models.image.RgbImage;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * Fashion-MNIST from its idx files (as Debian's {@code dataset-fashion-mnist} installs them under
 * {@code /usr/share/datasets/fashion-mnist}, gzipped or not): 28×28 greyscale images, 10 classes.
 */
public final class FashionMnist {

    /** Where Debian's package puts the files. */
    public static final Path DEBIAN_DIR = Path.of("/usr/share/datasets/fashion-mnist");

    /** Class names in label order. */
    public static final List<String> CLASSES =
            List.of(
                    "T-shirt/top",
                    "Trouser",
                    "Pullover",
                    "Dress",
                    "Coat",
                    "Sandal",
                    "Shirt",
                    "Sneaker",
                    "Bag",
                    "Ankle boot");

    public static final int SIDE = 28;

    /** Images (each {@code 28*28} bytes, row-major) and their labels. */
    public record Split(byte[][] images, int[] labels) {

        public int size() {
            return labels.length;
        }

        /** Image {@code i} as RGB, the grey value in all three channels. */
        public RgbImage rgb(int i) {
            return toRgb(images[i]);
        }

        /** The first {@code n} examples. */
        public Split head(int n) {
            int m = Math.min(n, size());
            byte[][] images = new byte[m][];
            int[] labels = new int[m];
            System.arraycopy(this.images, 0, images, 0, m);
            System.arraycopy(this.labels, 0, labels, 0, m);
            return new Split(images, labels);
        }
    }

    private FashionMnist() {}

    /** The training split (60,000) or the test split (10,000) in {@code dir}. */
    public static Split load(Path dir, boolean train) throws IOException {
        String prefix = train ? "train" : "t10k";
        byte[][] images = readImages(find(dir, prefix + "-images-idx3-ubyte"));
        int[] labels = readLabels(find(dir, prefix + "-labels-idx1-ubyte"));
        if (images.length != labels.length) {
            throw new IOException(
                    prefix + ": " + images.length + " images but " + labels.length + " labels");
        }
        return new Split(images, labels);
    }

    /** A grey 28×28 image as RGB. */
    public static RgbImage toRgb(byte[] grey) {
        byte[] rgb = new byte[grey.length * 3];
        for (int p = 0; p < grey.length; p++) {
            rgb[3 * p] = rgb[3 * p + 1] = rgb[3 * p + 2] = grey[p];
        }
        return new RgbImage(SIDE, SIDE, rgb);
    }

    private static Path find(Path dir, String name) throws IOException {
        for (Path candidate : List.of(dir.resolve(name + ".gz"), dir.resolve(name))) {
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        throw new IOException(
                "No "
                        + name
                        + "[.gz] in "
                        + dir
                        + " (on Debian: apt-get install dataset-fashion-mnist)");
    }

    private static DataInputStream open(Path file) throws IOException {
        InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        if (file.getFileName().toString().endsWith(".gz")) {
            in = new GZIPInputStream(in, 1 << 16);
        }
        return new DataInputStream(in);
    }

    static byte[][] readImages(Path file) throws IOException {
        try (DataInputStream in = open(file)) {
            int magic = in.readInt();
            if (magic != 0x00000803) {
                throw new IOException(
                        file
                                + " is not an idx3 image file (magic "
                                + Integer.toHexString(magic)
                                + ")");
            }
            int count = in.readInt();
            int rows = in.readInt();
            int cols = in.readInt();
            if (rows != SIDE || cols != SIDE || count < 0) {
                throw new IOException(file + ": expected 28×28 images, got " + rows + "×" + cols);
            }
            byte[][] images = new byte[count][SIDE * SIDE];
            for (byte[] image : images) {
                in.readFully(image);
            }
            return images;
        }
    }

    static int[] readLabels(Path file) throws IOException {
        try (DataInputStream in = open(file)) {
            int magic = in.readInt();
            if (magic != 0x00000801) {
                throw new IOException(
                        file
                                + " is not an idx1 label file (magic "
                                + Integer.toHexString(magic)
                                + ")");
            }
            int count = in.readInt();
            int[] labels = new int[count];
            for (int i = 0; i < count; i++) {
                labels[i] = in.readUnsignedByte();
            }
            return labels;
        }
    }
}
