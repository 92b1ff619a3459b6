package io.inceptionpipeline.models.verify;

/**
 * Compares what a loaded network computes on the {@link Canary} batch with known answers, using the
 * parity tests' tolerance: every output row (the logits, the embedding of each image) within {@code
 * 1e-4} of its largest reference value plus {@code 1e-6}. Two kinds of answers:
 *
 * <ul>
 *   <li>{@link #compare}: the committed answers for these very weights (the reference's outputs on
 *       seeded weights, or a reviewed run of the shipped model);
 *   <li>{@link #batchConsistency}: for weights the project has no answers for (a user's file), the
 *       canary batch must give what each of its images gives alone. A kernel that is right at batch
 *       1 and wrong above it, as LibTorch's oneDNN was on AMD Zen 5, cannot pass this.
 * </ul>
 */
public final class KnownAnswerCheck {

    /** Allowed error relative to the largest value of an output row, as in the parity tests. */
    public static final double RELATIVE_TOLERANCE = 1e-4;

    /** Allowed absolute error on top of the relative one. */
    public static final double ABSOLUTE_TOLERANCE = 1e-6;

    /** A network's outputs on the canary batch: logits and embedding per image. */
    public record Outputs(float[][] logits, float[][] embedding) {}

    /**
     * The outcome of one comparison.
     *
     * @param kind what was compared, e.g. {@code known answers for seeded:42}
     * @param where the worst element, e.g. {@code logits[1][17]}
     * @param actual what the engine computed there
     * @param expected what it should have computed
     * @param error |actual - expected|
     * @param allowed the tolerance there
     */
    public record Result(
            String kind, String where, float actual, float expected, double error, double allowed) {

        public boolean passed() {
            return error <= allowed;
        }

        /** One line for logs and errors. */
        public String describe() {
            return String.format(
                    "%s: worst error %.3g at %s (engine %s, expected %s; allowed %.3g)",
                    kind, error, where, actual, expected, allowed);
        }
    }

    private KnownAnswerCheck() {}

    /**
     * A network's forward pass on {@code count} normalized NCHW images: whatever runs it (a DJL
     * engine, ONNX Runtime) returns the logits and embedding of each image.
     */
    @FunctionalInterface
    public interface Network {
        Outputs forward(float[] images, int count);
    }

    /** Runs images {@code [from, from + count)} of the canary batch through {@code network}. */
    public static Outputs forward(Network network, int inputSize, int from, int count) {
        int perImage = 3 * inputSize * inputSize;
        float[] all = Canary.inputs(inputSize);
        float[] slice = new float[count * perImage];
        System.arraycopy(all, from * perImage, slice, 0, slice.length);
        return network.forward(slice, count);
    }

    /** The whole canary batch at once. */
    public static Outputs forward(Network network, int inputSize) {
        return forward(network, inputSize, 0, Canary.batchSize());
    }

    /**
     * Compares {@code actual} with the committed {@code expected} answers; logits only when {@code
     * withLogits} (a head of another size than the canary's is compared by its embedding).
     */
    public static Result compare(Outputs actual, Canary.Entry expected, boolean withLogits) {
        Worst worst = new Worst("known answers for " + expected.weights());
        for (int i = 0; i < Canary.batchSize(); i++) {
            if (withLogits && expected.numClasses() > 0) {
                worst.row("logits", i, actual.logits()[i], expected.logits()[i]);
            }
            worst.row("embedding", i, actual.embedding()[i], expected.embedding()[i]);
        }
        return worst.result();
    }

    /**
     * Compares {@code actual} with {@code expected} outputs of another run (float32 against a lower
     * precision) within {@code relative} of each row's largest expected value plus {@code
     * absolute}; logits where {@code expected} has them.
     */
    public static Result compare(
            Outputs actual, Outputs expected, String kind, double relative, double absolute) {
        Worst worst = new Worst(kind, relative, absolute);
        for (int i = 0; i < expected.embedding().length; i++) {
            if (expected.logits() != null
                    && expected.logits()[i] != null
                    && expected.logits()[i].length > 0) {
                worst.row("logits", i, actual.logits()[i], expected.logits()[i]);
            }
            worst.row("embedding", i, actual.embedding()[i], expected.embedding()[i]);
        }
        return worst.result();
    }

    /** The canary batch against each of its images alone, on the same network. */
    public static Result batchConsistency(Network network, int inputSize) {
        Outputs batch = forward(network, inputSize);
        Worst worst = new Worst("batch of " + Canary.batchSize() + " against one image at a time");
        for (int i = 0; i < Canary.batchSize(); i++) {
            Outputs alone = forward(network, inputSize, i, 1);
            worst.row("logits", i, batch.logits()[i], alone.logits()[0]);
            worst.row("embedding", i, batch.embedding()[i], alone.embedding()[0]);
        }
        return worst.result();
    }

    /** Tracks the element whose error is the largest share of its tolerance. */
    private static final class Worst {
        private final String kind;
        private final double relative;
        private final double absolute;
        private String where = "nowhere";
        private float actual;
        private float expected;
        private double error;
        private double allowed = Double.POSITIVE_INFINITY;
        private double ratio = -1;

        Worst(String kind) {
            this(kind, RELATIVE_TOLERANCE, ABSOLUTE_TOLERANCE);
        }

        Worst(String kind, double relative, double absolute) {
            this.kind = kind;
            this.relative = relative;
            this.absolute = absolute;
        }

        void row(String field, int image, float[] got, float[] want) {
            if (got.length != want.length) {
                throw new IllegalStateException(
                        String.format(
                                "%s of image %d has %d values, the known answer %d",
                                field, image, got.length, want.length));
            }
            double scale = 0;
            for (float v : want) {
                scale = Math.max(scale, Math.abs(v));
            }
            double tolerance = relative * scale + absolute;
            for (int j = 0; j < got.length; j++) {
                double err = Math.abs((double) got[j] - want[j]);
                double share = Double.isNaN(err) ? Double.POSITIVE_INFINITY : err / tolerance;
                if (share > ratio) {
                    ratio = share;
                    where = field + "[" + image + "][" + j + "]";
                    actual = got[j];
                    expected = want[j];
                    error = Double.isNaN(err) ? Double.POSITIVE_INFINITY : err;
                    allowed = tolerance;
                }
            }
        }

        Result result() {
            return new Result(kind, where, actual, expected, error, allowed);
        }
    }
}
