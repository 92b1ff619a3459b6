package io.inceptionpipeline.cli;

import io.inceptionpipeline.models.inference.ScoringModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code convert}: reference .safetensors in, DJL .params out, for fast starts. */
@Command(
        name = "convert",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Imports weights (--weights FILE.safetensors, reference tensor names) and saves them in DJL's",
            "own .params format as DIR/<model>-0000.params, which --weights then loads without name mapping.",
            "The file keeps the model name, class count and the SHA-256 of the source weights."
        })
final class ConvertCommand implements Callable<Integer> {

    @Mixin ModelOptions modelOptions;

    @Option(
            names = "--output",
            required = true,
            paramLabel = "DIR",
            description = "Directory to write into (created if missing).")
    Path output;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (!modelOptions.hasWeightsFile()) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(), "convert needs --weights FILE.safetensors");
        }
        ScoringModel model;
        long started = System.nanoTime();
        try {
            model = modelOptions.load(true);
        } catch (Exception e) {
            System.err.println(
                    "error: cannot load " + modelOptions.weights + ": " + e.getMessage());
            return Main.EXIT_MODEL_ERROR;
        }
        try (model) {
            long loaded = System.nanoTime();
            Files.createDirectories(output);
            Path written = model.save(output);
            System.err.printf(
                    "imported %s in %d ms, wrote %s in %d ms%n",
                    modelOptions.weights,
                    (loaded - started) / 1_000_000,
                    written,
                    (System.nanoTime() - loaded) / 1_000_000);
            System.out.println(written);
        }
        return 0;
    }
}
