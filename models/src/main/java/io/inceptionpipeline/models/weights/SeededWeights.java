package io.inceptionpipeline.models.weights;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

/**
 * Deterministic random weights, the same bit for bit in Java and in the Python reference generator
 * ({@code models/src/test/python/generate_reference.py}), so that parity with the reference
 * implementation is tested on a full network without committing its weights.
 *
 * <p>Every tensor draws from its own SplitMix64 stream keyed by {@code seed ^ fnv1a64(name)}; value
 * {@code i} is {@code v = 2u - 1} with {@code u} the top 53 bits of the {@code (i+1)}-th output
 * over 2^53. Values are computed in double and rounded once to float. By role:
 *
 * <ul>
 *   <li>conv / linear weight: {@code v * sqrt(6 / fanIn)} (He-uniform, so activations neither
 *       vanish nor explode through 200+ layers);
 *   <li>bias, BatchNorm beta and running mean: {@code 0.1 v};
 *   <li>BatchNorm gamma: {@code 1 + 0.25 v}; running variance: {@code 1 + 0.5 v} (never the default
 *       1 and 0, so a BatchNorm that ignores its statistics fails the parity test).
 * </ul>
 */
public final class SeededWeights {

    private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;

    private SeededWeights() {}

    /** Fills every parameter from its reference name and {@code seed}. */
    public static void fill(Map<String, Parameter> named, long seed) {
        for (Map.Entry<String, Parameter> entry : named.entrySet()) {
            Parameter parameter = entry.getValue();
            Shape shape = parameter.getArray().getShape();
            parameter
                    .getArray()
                    .set(values(entry.getKey(), parameter.getType(), shape.getShape(), seed));
        }
    }

    /**
     * Writes the seeded values of every parameter of the initialized {@code block} as a {@code
     * .safetensors} file under the reference's names: what a user's downloaded checkpoint holds,
     * without downloading one. For tests and benchmarks.
     */
    public static void writeSafetensors(Block block, long seed, Path file) throws IOException {
        SafetensorsWriter writer = new SafetensorsWriter();
        for (Map.Entry<String, Parameter> e : StateDict.of(block).entrySet()) {
            long[] shape = e.getValue().getArray().getShape().getShape();
            writer.add(e.getKey(), shape, values(e.getKey(), e.getValue().getType(), shape, seed));
        }
        writer.write(file);
    }

    /** The values of one tensor. */
    public static float[] values(String name, Parameter.Type role, long[] shape, long seed) {
        long size = 1;
        for (long d : shape) {
            size *= d;
        }
        double scale;
        double offset;
        switch (role) {
            case WEIGHT:
                long fanIn = size / shape[0];
                scale = Math.sqrt(6.0 / fanIn);
                offset = 0;
                break;
            case GAMMA:
                scale = 0.25;
                offset = 1;
                break;
            case RUNNING_VAR:
                scale = 0.5;
                offset = 1;
                break;
            default: // BIAS, BETA, RUNNING_MEAN
                scale = 0.1;
                offset = 0;
                break;
        }
        return uniform(seed ^ fnv1a64(name), Math.toIntExact(size), scale, offset);
    }

    /** {@code n} values {@code offset + scale * v}, {@code v} uniform in [-1, 1). */
    public static float[] uniform(long key, int n, double scale, double offset) {
        float[] out = new float[n];
        long state = key;
        for (int i = 0; i < n; i++) {
            state += GOLDEN_GAMMA;
            long z = state;
            z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
            z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
            z = z ^ (z >>> 31);
            double u = (z >>> 11) * 0x1.0p-53;
            out[i] = (float) (offset + scale * (2 * u - 1));
        }
        return out;
    }

    /** 64-bit FNV-1a of the UTF-8 bytes of {@code s}. */
    public static long fnv1a64(String s) {
        long hash = 0xcbf29ce484222325L;
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            hash ^= b & 0xff;
            hash *= 0x100000001b3L;
        }
        return hash;
    }
}
