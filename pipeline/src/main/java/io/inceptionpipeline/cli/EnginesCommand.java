package io.inceptionpipeline.cli;

import ai.djl.Device;
import io.inceptionpipeline.models.inference.NativeThreads;
import io.inceptionpipeline.models.inference.ScoringModel;
import io.inceptionpipeline.models.inference.WeightsSource;
import io.inceptionpipeline.models.spec.ModelRegistry;
import io.inceptionpipeline.models.spec.ModelSpec;
import io.inceptionpipeline.models.verify.CpuFeatures;
import io.inceptionpipeline.models.verify.EngineGuard;
import io.inceptionpipeline.models.verify.KnownAnswerCheck;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * What each engine sees on this machine and whether it computes right: the CPU and its extensions,
 * each engine's version and capabilities, the convolution self-test with any remedy it needed, and,
 * with {@code --model}, that model's known-answer check on every engine.
 */
@Command(
        name = "engines",
        mixinStandardHelpOptions = true,
        description = {
            "Prints the CPU features the engines see, each engine's version and capabilities, and",
            "verifies each engine here: the convolution self-test (and its remedy where needed) and,",
            "with --model, the model's known-answer check. Exit code 0: every engine is right; 3: one",
            "computes wrong results (the message says which, and what to do)."
        })
final class EnginesCommand implements Callable<Integer> {

    @Option(
            names = "--model",
            paramLabel = "NAME",
            description =
                    "Also load this model (its default weights) on every engine and print its known-answer check.")
    String model;

    @Option(
            names = "--threads",
            paramLabel = "N",
            defaultValue = "0",
            description =
                    "Threads of the engines (OpenMP for MXNet and PyTorch, intra-op for ONNX Runtime; as for every command). Default: one per processor.")
    int threads;

    @Override
    public Integer call() {
        ModelSpec spec = model == null ? null : ModelRegistry.get(model);
        NativeThreads.configure(threads);
        System.out.println("CPU: " + CpuFeatures.current().describe());
        List<String> failed = new ArrayList<>();
        for (var engine : ScoringModel.ENGINES.entrySet()) {
            String name = engine.getValue();
            try {
                EngineGuard.Status status = EngineGuard.verify(name, Device.cpu());
                System.out.printf(
                        "%s (--engine %s): %s%n  self-test on %s passed in %d ms, worst %s;"
                                + " remedy: %s%n",
                        name,
                        engine.getKey(),
                        EngineGuard.describeEngine(name),
                        status.device(),
                        status.millis(),
                        status.worst(),
                        status.remedy());
                if (spec != null) {
                    try (ScoringModel loaded =
                            ScoringModel.load(
                                    spec,
                                    WeightsSource.orDefault(
                                            spec, null, ModelOptions.RANDOM_WEIGHTS_SEED),
                                    Device.cpu(),
                                    name,
                                    threads)) {
                        for (KnownAnswerCheck.Result result : loaded.knownAnswers()) {
                            System.out.printf("  %s: %s%n", spec.name(), result.describe());
                        }
                    }
                }
            } catch (IOException | RuntimeException e) {
                System.out.printf(
                        "%s (--engine %s): FAILED: %s%n", name, engine.getKey(), e.getMessage());
                failed.add(name);
            }
        }
        return failed.isEmpty() ? 0 : Main.EXIT_MODEL_ERROR;
    }
}
