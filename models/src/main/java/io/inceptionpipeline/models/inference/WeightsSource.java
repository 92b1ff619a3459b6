package io.inceptionpipeline.models.inference;

import io.inceptionpipeline.models.spec.ModelSpec;
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

    /** Trained weights shipped inside the jar ({@code .safetensors} on the class path). */
    record Bundled(String resource) implements WeightsSource {}

    /**
     * The weights to use for {@code spec}: {@code file} when given, else the weights the model
     * ships with, else seeded random weights (and callers must say so).
     */
    static WeightsSource orDefault(ModelSpec spec, Path file, long seed) {
        if (file != null) {
            return new File(file);
        }
        return spec.bundledWeights() != null
                ? new Bundled(spec.bundledWeights())
                : new Seeded(seed);
    }
}
