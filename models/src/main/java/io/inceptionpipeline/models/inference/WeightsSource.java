package io.inceptionpipeline.models.inference;

import java.nio.file.Path;

/** Where a model's weights come from. */
public sealed interface WeightsSource {

    /**
     * Seeded random weights ({@link io.inceptionpipeline.models.weights.SeededWeights}): only
     * useful for benchmarks and tests, never for predictions.
     */
    record Seeded(long seed) implements WeightsSource {}

    /** A file: a reference state dict as {@code .safetensors}, or DJL's {@code .params}. */
    record File(Path path) implements WeightsSource {}
}
