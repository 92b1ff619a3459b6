package io.inceptionpipeline.cli;

import io.inceptionpipeline.models.spec.ModelRegistry;
import io.inceptionpipeline.models.spec.ModelSpec;
import io.inceptionpipeline.models.spec.ModelSummary;
import io.inceptionpipeline.models.train.FashionMnist;
import io.inceptionpipeline.models.train.FashionMnistTrainer;
import io.inceptionpipeline.models.train.ModelCard;
import io.inceptionpipeline.models.train.TrainConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code train}: trains a 28×28 model of the family on Fashion-MNIST and writes its model card. */
@Command(
        name = "train",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Trains a model on Fashion-MNIST (DJL training API, MXNet engine, CPU) and writes to --output:",
            "<model>.safetensors (reference tensor names, loadable with --weights), checkpoints/epoch-NN.safetensors",
            "and MODEL_CARD.md (data, command, seed, epochs, wall time, test accuracy per class, confusion matrix).",
            "Prints a progress bar with loss and accuracy per epoch on stderr."
        })
final class TrainCommand implements Callable<Integer> {

    @Option(
            names = "--model",
            defaultValue = "inception_resnet_fmnist",
            description = "A 28×28, 10-class model. Default: ${DEFAULT-VALUE}.")
    String model;

    @Option(
            names = "--data",
            paramLabel = "DIR",
            description =
                    "Folder of the Fashion-MNIST idx files. Default: /usr/share/datasets/fashion-mnist (Debian's dataset-fashion-mnist).")
    Path data = FashionMnist.DEBIAN_DIR;

    @Option(
            names = "--output",
            paramLabel = "DIR",
            defaultValue = "fashion-mnist-model",
            description = "Output folder. Default: ${DEFAULT-VALUE}.")
    Path output;

    @Option(names = "--epochs", defaultValue = "10", description = "Default: ${DEFAULT-VALUE}.")
    int epochs;

    @Option(
            names = "--batch-size",
            defaultValue = "128",
            description = "Default: ${DEFAULT-VALUE}.")
    int batchSize;

    @Option(
            names = "--learning-rate",
            defaultValue = "0.1",
            description = "Peak SGD learning rate. Default: ${DEFAULT-VALUE}.")
    float learningRate;

    @Option(
            names = "--warmup-epochs",
            defaultValue = "1",
            description = "Linear warm-up before the cosine decay. Default: ${DEFAULT-VALUE}.")
    float warmupEpochs;

    @Option(
            names = "--weight-decay",
            defaultValue = "5e-4",
            description = "Default: ${DEFAULT-VALUE}.")
    float weightDecay;

    @Option(
            names = "--label-smoothing",
            defaultValue = "0.1",
            description = "ε, as in the Inception-v3 paper. Default: ${DEFAULT-VALUE}.")
    float labelSmoothing;

    @Option(
            names = "--padding",
            defaultValue = "2",
            description =
                    "Random-crop padding in pixels (0: no random crop). Default: ${DEFAULT-VALUE}.")
    int padding;

    @Option(
            names = "--flip",
            negatable = true,
            defaultValue = "true",
            fallbackValue = "true",
            description = "Random horizontal flips. Default: ${DEFAULT-VALUE}.")
    boolean flip;

    @Option(names = "--seed", defaultValue = "17", description = "Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(
            names = "--train-limit",
            defaultValue = "0",
            description = "Train on the first N images only (0: all).")
    int trainLimit;

    @Option(
            names = "--max-steps",
            defaultValue = "0",
            description = "Stop after N steps (0: all epochs).")
    int maxSteps;

    @Option(
            names = "--threads",
            defaultValue = "0",
            description = "OpenMP threads (0: one per processor).")
    int threads;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        ModelSpec modelSpec;
        TrainConfig config;
        try {
            modelSpec = ModelRegistry.get(model);
            config =
                    new TrainConfig(
                            data,
                            output,
                            epochs,
                            batchSize,
                            learningRate,
                            warmupEpochs,
                            0.9f,
                            weightDecay,
                            labelSmoothing,
                            padding,
                            flip,
                            seed,
                            trainLimit,
                            maxSteps,
                            threads);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        FashionMnistTrainer.Result result =
                new FashionMnistTrainer(modelSpec, config, System.err).run();
        ModelSummary size = ModelSummary.of(modelSpec);
        String command =
                "java -jar pipeline/target/inception-pipeline.jar train "
                        + String.join(
                                " ",
                                spec.commandLine()
                                        .getParseResult()
                                        .originalArgs()
                                        .subList(
                                                1,
                                                spec.commandLine()
                                                        .getParseResult()
                                                        .originalArgs()
                                                        .size()));
        Path card =
                ModelCard.write(
                        output,
                        modelSpec,
                        config,
                        result,
                        command.strip(),
                        machine(),
                        sha256(result.weights()),
                        size.parameters(),
                        size.macs());
        System.out.println(result.weights());
        System.out.println(card);
        return 0;
    }

    /** "2 vCPU AMD EPYC, Linux" from /proc/cpuinfo where there is one. */
    static String machine() {
        String cpu = "unknown CPU";
        try {
            List<String> lines = Files.readAllLines(Path.of("/proc/cpuinfo"));
            cpu =
                    lines.stream()
                            .filter(l -> l.startsWith("model name"))
                            .map(l -> l.substring(l.indexOf(':') + 1).strip())
                            .findFirst()
                            .orElse(cpu);
        } catch (Exception e) {
            // not Linux: keep the generic name
        }
        return Runtime.getRuntime().availableProcessors()
                + " vCPU "
                + cpu
                + ", "
                + System.getProperty("os.name")
                + ", Java "
                + System.getProperty("java.version");
    }

    static String sha256(Path file) throws Exception {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        digest.update(Files.readAllBytes(file));
        return "sha256:" + HexFormat.of().formatHex(digest.digest());
    }
}
