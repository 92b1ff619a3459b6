package io.inceptionpipeline.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.inceptionpipeline.pipeline.archive.ArchiveOutput;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code archive} killed with SIGKILL mid-run, then the same command again: the second run restores
 * the first one's latest Flink checkpoint, and across both runs every id is answered exactly once
 * in the committed part files.
 */
class ArchiveKillJarTest {

    static final Path IMAGES = Path.of("../samples/fashion-mnist/images");
    static final int ITEMS = 2400;

    @TempDir Path work;

    @Test
    void aKilledRunIsResumedFromItsCheckpointAndEveryIdIsAnsweredOnce() throws Exception {
        List<Path> images;
        try (Stream<Path> files = Files.list(IMAGES)) {
            images = files.sorted().map(p -> p.toAbsolutePath().normalize()).toList();
        }
        List<String> lines = new ArrayList<>(List.of("id,uri"));
        for (int i = 0; i < ITEMS; i++) {
            lines.add("item-" + i + "," + images.get(i % images.size()).toUri());
        }
        Path manifest = Files.write(work.resolve("manifest.csv"), lines);
        Path out = work.resolve("out");
        List<String> command = command(manifest, out);
        ArchiveOutput output = new ArchiveOutput(out);

        Process first = start(command, "first");
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (output.predictionFiles().isEmpty() && first.isAlive()) {
            assertThat(System.nanoTime()).as("a part file committed in time").isLessThan(deadline);
            Thread.sleep(50);
        }
        assertThat(first.isAlive()).as("still running when killed").isTrue();
        first.destroyForcibly(); // SIGKILL: no shutdown hook, no cancellation
        first.waitFor();
        int answeredByFirst = answers(output).size();
        assertThat(answeredByFirst).isPositive().isLessThan(ITEMS);
        assertThat(out.resolve(".checkpoints")).isDirectory();

        Process second = start(command, "second");
        assertThat(second.waitFor(4, TimeUnit.MINUTES)).as("second run finished").isTrue();
        String stderr = Files.readString(work.resolve("second.err"), StandardCharsets.UTF_8);
        assertThat(second.exitValue()).as(stderr).isZero();
        assertThat(stderr).contains("archive: resuming from checkpoint");
        // The restored run's bar counts lines from the manifest's start, not from the restore.
        String[] progress =
                stderr.lines().filter(l -> l.contains(" lines read")).toArray(String[]::new);
        assertThat(progress).isNotEmpty();
        assertThat(progress[progress.length - 1])
                .endsWith(", " + (ITEMS + 1) + "/" + (ITEMS + 1) + " lines read");

        Map<String, Long> answers = answers(output);
        assertThat(answers).hasSize(ITEMS);
        assertThat(answers).allSatisfy((id, count) -> assertThat(count).as(id).isOne());
        assertThat(output.readDeadLetters()).isEmpty();
        assertThat(out.resolve(".checkpoints")).isEmptyDirectory();
    }

    private static List<String> command(Path manifest, Path out) {
        return List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dai.djl.offline=true",
                "-Xmx2g",
                "-jar",
                JarProcess.JAR.toString(),
                "archive",
                "--input",
                manifest.toString(),
                "--output-dir",
                out.toString(),
                "--allowed-root",
                IMAGES.toAbsolutePath().normalize().toString(),
                "--model",
                "inception_resnet_fmnist",
                "--no-embeddings",
                "--fetch-parallelism",
                "1",
                "--inference-parallelism",
                "1",
                "--batch-size",
                "8",
                "--checkpoint-interval-ms",
                "300");
    }

    private Process start(List<String> command, String name) throws Exception {
        return new ProcessBuilder(command)
                .redirectOutput(work.resolve(name + ".out").toFile())
                .redirectError(work.resolve(name + ".err").toFile())
                .start();
    }

    /** Every answer's id, predictions and dead letters, counted. */
    private static Map<String, Long> answers(ArchiveOutput output) throws Exception {
        List<String> ids = new ArrayList<>();
        output.readPredictions().forEach(p -> ids.add(p.getRequestId()));
        output.readDeadLetters().forEach(f -> ids.add(ArchiveOutput.idOf(f)));
        return ids.stream()
                .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
    }
}
