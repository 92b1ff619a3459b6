package io.inceptionpipeline.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code java -jar pipeline/target/inception-pipeline.jar local}, the README's first command, in a
 * fresh JVM: broker, MiniCluster, job and summary, exit code 0.
 */
class LocalJarTest {

    private static final Path JAR =
            Path.of(
                    System.getProperty(
                            "pipeline.jar", "../pipeline/target/inception-pipeline.jar"));

    @TempDir Path work;

    private Process start(String... args) throws Exception {
        List<String> command =
                new ArrayList<>(
                        List.of(
                                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                                "-Xmx3g",
                                "-jar",
                                JAR.toString()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command)
                .redirectOutput(work.resolve("stdout.txt").toFile())
                .redirectError(work.resolve("stderr.txt").toFile())
                .start();
    }

    @Test
    void localScoresTheBundledFashionMnistSampleWithTheShippedModel() throws Exception {
        Process local = start("local");
        assertThat(local.waitFor(5, TimeUnit.MINUTES)).as("finished within 5 minutes").isTrue();
        String stdout = Files.readString(work.resolve("stdout.txt"));
        String stderr = Files.readString(work.resolve("stderr.txt"));
        assertThat(local.exitValue()).as(stdout + stderr).isZero();
        assertThat(stdout)
                .contains("requests 200, scored 200, failed 0, unanswered 0")
                .contains("sustained rate")
                .contains("latency from publish to prediction")
                .contains("local-000000 file:")
                .containsPattern("top-1 accuracy on the 200 labelled images: 1[89][0-9] correct");
        assertThat(stderr).doesNotContain("RANDOM");
    }

    @Test
    void localWithTheFlagshipModelScoresThePhotos() throws Exception {
        Process local =
                start(
                        "local",
                        "--model",
                        "inception_resnet_v2",
                        "--count",
                        "8",
                        "--batch-size",
                        "4");
        assertThat(local.waitFor(5, TimeUnit.MINUTES)).isTrue();
        String stdout = Files.readString(work.resolve("stdout.txt"));
        assertThat(local.exitValue()).as(stdout).isZero();
        assertThat(stdout)
                .contains("requests 8, scored 8, failed 0, unanswered 0")
                .contains("chelsea.png");
        assertThat(Files.readString(work.resolve("stderr.txt"))).contains("RANDOM weights");
    }

    @Test
    void localWithTheFaceEmbeddingModelWritesEmbeddingsWithoutClasses() throws Exception {
        Process local =
                start(
                        "local",
                        "--model",
                        "inception_resnet_v1",
                        "--count",
                        "8",
                        "--batch-size",
                        "4",
                        "--examples",
                        "2");
        assertThat(local.waitFor(5, TimeUnit.MINUTES)).isTrue();
        String stdout = Files.readString(work.resolve("stdout.txt"));
        assertThat(local.exitValue()).as(stdout).isZero();
        assertThat(stdout)
                .contains("requests 8, scored 8, failed 0, unanswered 0")
                .contains("-> embedding of 512 floats");
    }

    @Test
    void localScoresAFolderAndReportsBrokenImagesAsFailures() throws Exception {
        Path images = Files.createDirectories(work.resolve("images"));
        Files.copy(
                Path.of(System.getProperty("samples.dir", "../samples/images"))
                        .resolve("coffee.jpg"),
                images.resolve("coffee.jpg"));
        Files.writeString(images.resolve("broken.jpg"), "not an image");
        Process local = start("local", "--images", images.toString(), "--examples", "1");
        assertThat(local.waitFor(5, TimeUnit.MINUTES)).isTrue();
        String stdout = Files.readString(work.resolve("stdout.txt"));
        assertThat(local.exitValue()).as(stdout).isZero();
        assertThat(stdout)
                .contains("requests 2, scored 1, failed 1, unanswered 0")
                .contains("DECODE/NOT_AN_IMAGE");
    }
}
