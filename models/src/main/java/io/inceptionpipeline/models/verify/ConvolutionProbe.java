package io.inceptionpipeline.models.verify;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import io.inceptionpipeline.models.weights.SeededWeights;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Runs single 3×3 convolutions on an engine and compares each with a plain Java convolution
 * computed in double precision. The shapes are those of {@code shared/repro/PyTorchConvProbe}:
 * LibTorch 2.7.1's oneDNN (3.7.1) computed 3×3 convolutions with 12, 20, 24 or 40 input channels
 * wrongly at batch sizes above 1 on an AVX-512 CPU (AMD Zen 5), while 8, 32 and 48 channels and
 * batch 1 were right; both kinds are probed, at batch 1 and 7, so a fault shows as a difference
 * between otherwise similar cases. It takes well under a second.
 */
public final class ConvolutionProbe {

    /** {input channels, output channels} of each probed convolution. */
    public static final int[][] CHANNELS = {
        {8, 12}, {12, 20}, {20, 24}, {24, 48}, {32, 32}, {40, 96}, {48, 40}
    };

    /** Batch sizes probed: the fault needed more than one image. */
    public static final int[] BATCHES = {1, 7};

    /** Height and width of the probed feature maps. */
    public static final int SIZE = 14;

    /** Allowed error: relative to the largest reference value, as the parity tests allow. */
    public static final double TOLERANCE = 1e-4;

    private static final long SEED = 1;

    /** The Java convolutions, computed once per JVM for every engine and device probed. */
    private static final Map<String, double[]> EXPECTED = new ConcurrentHashMap<>();

    /** One probed convolution. */
    public record Case(int inChannels, int outChannels, int batch, double relativeError) {
        public boolean passed() {
            return relativeError <= TOLERANCE;
        }

        @Override
        public String toString() {
            return String.format(
                    "conv3x3 %d->%d batch %d: relative error %.3g",
                    inChannels, outChannels, batch, relativeError);
        }
    }

    private ConvolutionProbe() {}

    /**
     * How an engine computes a 3×3 convolution (stride 1, zero padding 1, no bias, NCHW): DJL's
     * {@code Conv2d} on an engine's arrays ({@link #on(NDManager)}), or a one-operator ONNX graph
     * on ONNX Runtime ({@link OnnxRuntimeConvolution}), whose arrays DJL cannot convolve.
     */
    @FunctionalInterface
    public interface Convolution {
        float[] conv3x3(float[] x, float[] w, int batch, int ic, int oc);
    }

    /** Runs every case on {@code manager}'s engine and device. */
    public static List<Case> run(NDManager manager) {
        return run(on(manager));
    }

    /** Runs every case through {@code convolution}. */
    public static List<Case> run(Convolution convolution) {
        List<Case> cases = new ArrayList<>();
        for (int[] c : CHANNELS) {
            for (int batch : BATCHES) {
                cases.add(probe(convolution, c[0], c[1], batch));
            }
        }
        return cases;
    }

    /** DJL's {@code Conv2d} on {@code manager}'s engine and device. */
    public static Convolution on(NDManager manager) {
        return (x, w, batch, ic, oc) -> {
            try (NDManager scratch = manager.newSubManager()) {
                NDArray input = scratch.create(x, new Shape(batch, ic, SIZE, SIZE));
                NDArray weight = scratch.create(w, new Shape(oc, ic, 3, 3));
                NDArray bias = scratch.zeros(new Shape(oc));
                return Conv2d.conv2d(
                                input,
                                weight,
                                bias,
                                new Shape(1, 1),
                                new Shape(1, 1),
                                new Shape(1, 1),
                                1)
                        .singletonOrThrow()
                        .toFloatArray();
            }
        };
    }

    /** The worst of {@code cases}. */
    public static Case worst(List<Case> cases) {
        Case worst = cases.get(0);
        for (Case c : cases) {
            if (!(c.relativeError() <= worst.relativeError())) {
                worst = c;
            }
        }
        return worst;
    }

    static Case probe(Convolution convolution, int ic, int oc, int batch) {
        float[] x =
                SeededWeights.uniform(
                        SEED ^ SeededWeights.fnv1a64("probe/x/" + ic + "/" + batch),
                        batch * ic * SIZE * SIZE,
                        1,
                        0);
        float[] w =
                SeededWeights.uniform(
                        SEED ^ SeededWeights.fnv1a64("probe/w/" + ic + "/" + oc),
                        oc * ic * 9,
                        0.3,
                        0);
        float[] actual = convolution.conv3x3(x, w, batch, ic, oc);
        double[] expected =
                EXPECTED.computeIfAbsent(
                        ic + "/" + oc + "/" + batch, k -> conv3x3(x, w, batch, ic, oc));
        double scale = 0;
        double worst = 0;
        for (int i = 0; i < expected.length; i++) {
            scale = Math.max(scale, Math.abs(expected[i]));
            double err = Math.abs(actual[i] - expected[i]);
            worst = Double.isNaN(err) ? Double.POSITIVE_INFINITY : Math.max(worst, err);
        }
        return new Case(ic, oc, batch, worst / scale);
    }

    /** Direct 3×3 convolution, stride 1, zero padding 1, NCHW, in double precision. */
    static double[] conv3x3(float[] x, float[] w, int batch, int ic, int oc) {
        int hw = SIZE * SIZE;
        double[] out = new double[batch * oc * hw];
        for (int n = 0; n < batch; n++) {
            for (int o = 0; o < oc; o++) {
                for (int y = 0; y < SIZE; y++) {
                    for (int xx = 0; xx < SIZE; xx++) {
                        double sum = 0;
                        for (int i = 0; i < ic; i++) {
                            int plane = (n * ic + i) * hw;
                            int kernel = (o * ic + i) * 9;
                            for (int ky = 0; ky < 3; ky++) {
                                int sy = y + ky - 1;
                                if (sy < 0 || sy >= SIZE) {
                                    continue;
                                }
                                for (int kx = 0; kx < 3; kx++) {
                                    int sx = xx + kx - 1;
                                    if (sx >= 0 && sx < SIZE) {
                                        sum +=
                                                (double) x[plane + sy * SIZE + sx]
                                                        * w[kernel + ky * 3 + kx];
                                    }
                                }
                            }
                        }
                        out[(n * oc + o) * hw + y * SIZE + xx] = sum;
                    }
                }
            }
        }
        return out;
    }
}
