package io.inceptionpipeline.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code train} and {@code evaluate} as a user runs them, on Debian's dataset-fashion-mnist (which
 * .ci/run installs): a short training run writes weights, checkpoints and a model card whose
 * accuracy {@code evaluate} reproduces; the shipped model reaches its card's accuracy; a folder per
 * class evaluates.
 */
class TrainEvaluateJarTest {

    private static final Path JAR =
            Path.of(
                    System.getProperty(
                            "pipeline.jar", "../pipeline/target/inception-pipeline.jar"));
    private static final String DATA = "/usr/share/datasets/fashion-mnist";
    private static final Pattern TOP1 = Pattern.compile("top-1 accuracy: ([0-9.]+)%");

    @TempDir Path work;

    /** Runs the jar to completion; returns stdout, failing with stderr on a non-zero exit. */
    private String run(String... args) throws Exception {
        List<String> command =
                new ArrayList<>(
                        List.of(
                                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                                "-Xmx2g",
                                "-jar",
                                JAR.toString()));
        command.addAll(List.of(args));
        Path out = work.resolve("stdout.txt");
        Path err = work.resolve("stderr.txt");
        Process process =
                new ProcessBuilder(command)
                        .redirectOutput(out.toFile())
                        .redirectError(err.toFile())
                        .start();
        assertThat(process.waitFor(10, TimeUnit.MINUTES)).as("finished").isTrue();
        String stdout = Files.readString(out);
        assertThat(process.exitValue()).as(stdout + Files.readString(err)).isZero();
        return stdout;
    }

    private static double top1(String text) {
        Matcher m = TOP1.matcher(text);
        assertThat(m.find()).as("a top-1 accuracy line in:%n%s", text).isTrue();
        return Double.parseDouble(m.group(1));
    }

    @Test
    void aShortTrainingRunWritesWeightsAndACardThatEvaluateReproduces() throws Exception {
        Path output = work.resolve("model");
        run(
                "train",
                "--output",
                output.toString(),
                "--epochs",
                "1",
                "--train-limit",
                "1024",
                "--batch-size",
                "64");

        Path weights = output.resolve("inception_resnet_fmnist.safetensors");
        assertThat(weights).isRegularFile();
        assertThat(output.resolve("checkpoints/epoch-01.safetensors")).isRegularFile();
        String card = Files.readString(output.resolve("MODEL_CARD.md"));
        assertThat(card).contains("--epochs 1", "seed", "Confusion", "Trouser");
        double trained = top1(card);
        // 16 steps on 1,024 images already beat chance (10%) by far
        assertThat(trained).isGreaterThan(30.0);

        String evaluated =
                run(
                        "evaluate",
                        "--model",
                        "inception_resnet_fmnist",
                        "--weights",
                        weights.toString(),
                        "--fashion-mnist",
                        DATA);
        assertThat(evaluated).contains("10000 images");
        assertThat(top1(evaluated)).isEqualTo(trained);
    }

    @Test
    void theShippedModelReachesItsCardAccuracyInEvaluate() throws Exception {
        String evaluated =
                run("evaluate", "--model", "inception_resnet_fmnist", "--fashion-mnist", DATA);
        double measured = top1(evaluated);
        double card = top1(Files.readString(Path.of(System.getProperty("model.card"))));
        assertThat(measured).isGreaterThanOrEqualTo(93.0);
        assertThat(measured).isCloseTo(card, Offset.offset(0.1));
        assertThat(evaluated).contains("top-5 accuracy", "Ankle boot");
    }

    @Test
    void evaluatesAFolderWithOneSubfolderPerClass() throws Exception {
        Path samples =
                Path.of(System.getProperty("fashion.samples.dir", "../samples/fashion-mnist"));
        Path folder = work.resolve("by-class");
        List<String> lines = Files.readAllLines(samples.resolve("labels.csv"));
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split(",");
            Path dir = Files.createDirectories(folder.resolve(f[2].replace('/', '_')));
            Files.copy(samples.resolve(f[0]), dir.resolve(Path.of(f[0]).getFileName()));
        }
        String evaluated =
                run(
                        "evaluate",
                        "--model",
                        "inception_resnet_fmnist",
                        "--folder",
                        folder.toString());
        assertThat(evaluated).contains("- images: 200");
        assertThat(top1(evaluated)).isGreaterThan(85.0);
    }
}
