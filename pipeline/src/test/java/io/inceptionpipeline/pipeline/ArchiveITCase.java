package io.inceptionpipeline.pipeline;

import static io.inceptionpipeline.pipeline.archive.ArchiveRuns.answers;
import static io.inceptionpipeline.pipeline.archive.ArchiveRuns.run;
import static org.assertj.core.api.Assertions.assertThat;

import io.inceptionpipeline.cli.Main;
import io.inceptionpipeline.pipeline.archive.ArchiveOutput;
import io.inceptionpipeline.schemas.ErrorCode;
import io.inceptionpipeline.schemas.Prediction;
import io.inceptionpipeline.schemas.ScoringFailure;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code archive} as a user runs it: a manifest of Fashion-MNIST PNGs and bad lines, pipelined
 * (streaming mode over the bounded file source, checkpoints) on a MiniCluster; a rerun over a
 * longer manifest scores only the new ids; an S3 prefix listed and fetched from a real
 * S3-compatible server (s3proxy); Kafka as a second output.
 */
class ArchiveITCase {

    static final Path SAMPLES = Path.of("../samples/fashion-mnist");

    @TempDir static Path work;
    static S3TestServer s3;
    static Map<String, Integer> labels;
    static List<Path> images;

    @BeforeAll
    static void start() throws Exception {
        s3 = S3TestServer.start(Files.createDirectories(work.resolve("s3")));
        labels = LabelsCsv.read(SAMPLES);
        try (Stream<Path> files = Files.list(SAMPLES.resolve("images"))) {
            images = files.sorted().map(p -> p.toAbsolutePath().normalize()).toList();
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (s3 != null) {
            s3.close();
        }
    }

    private static String[] archive(String... args) {
        List<String> all = new ArrayList<>(List.of("archive"));
        all.addAll(List.of(args));
        all.addAll(
                List.of(
                        "--model",
                        "inception_resnet_fmnist",
                        "--no-embeddings",
                        "--fetch-parallelism",
                        "2",
                        "--inference-parallelism",
                        "2",
                        "--batch-size",
                        "8",
                        // Only a full batch or the end of the input may flush a batch: a partial
                        // batch is scored only if the end-of-input flush works.
                        "--max-batch-delay-ms",
                        "600000",
                        "--progress-interval-ms",
                        "200"));
        return all.toArray(String[]::new);
    }

    private static String id(Path image) {
        return "fm/" + image.getFileName();
    }

    private static void assertMostlyCorrect(List<Prediction> predictions, String prefix) {
        int correct = 0;
        for (Prediction p : predictions) {
            String file = "images/" + p.getRequestId().substring(prefix.length());
            if (p.getTopK().get(0).getIndex() == labels.get(file)) {
                correct++;
            }
        }
        // The shipped model scores about 90% top-1 on Fashion-MNIST's test set.
        assertThat(correct).isGreaterThan(predictions.size() * 7 / 10);
    }

    @Test
    void scoresAManifestOnceAndAResumedRunScoresOnlyNewIds() throws Exception {
        Path outside = Files.writeString(work.resolve("outside.png"), "x");
        Path notAnImage =
                Files.writeString(
                        Files.createDirectories(work.resolve("allowed")).resolve("readme.png"),
                        "not a png");
        List<String> lines = new ArrayList<>(List.of("id,uri", "# 37 images and 4 bad lines"));
        for (Path image : images.subList(0, 37)) {
            lines.add(id(image) + "," + image.toUri());
        }
        lines.add("bad/missing," + SAMPLES.resolve("images/nope.png").toAbsolutePath().toUri());
        lines.add("bad/outside," + outside.toUri());
        lines.add("bad/no-uri,");
        lines.add("bad/not-an-image," + notAnImage.toUri());
        lines.add(id(images.get(0)) + "," + images.get(1).toUri()); // repeated id: left out
        Path manifest = work.resolve("manifest.csv");
        Files.write(manifest, lines);
        Path out = work.resolve("out");

        Map.Entry<Integer, String> first =
                run(
                        archive(
                                "--input",
                                manifest.toString(),
                                "--output-dir",
                                out.toString(),
                                "--allowed-root",
                                SAMPLES.toAbsolutePath().toString(),
                                "--allowed-root",
                                notAnImage.getParent().toString()));
        assertThat(first.getKey()).isZero();
        assertThat(first.getValue())
                .contains("41 images listed", "1 repeated ids left out", "41 to score")
                .containsPattern("\\] 41/41 100% [0-9.]+ img/s ETA 00:00");

        ArchiveOutput output = new ArchiveOutput(out);
        Map<String, Long> answered = answers(output);
        assertThat(answered).hasSize(41).allSatisfy((id, count) -> assertThat(count).isOne());
        List<Prediction> predictions = output.readPredictions();
        assertThat(predictions)
                .extracting(Prediction::getRequestId)
                .containsExactlyInAnyOrderElementsOf(
                        images.subList(0, 37).stream().map(ArchiveITCase::id).toList());
        assertMostlyCorrect(predictions, "fm/");
        Map<String, ErrorCode> codes = new HashMap<>();
        for (ScoringFailure f : output.readDeadLetters()) {
            codes.put(ArchiveOutput.idOf(f), f.getCode());
        }
        assertThat(codes)
                .containsOnly(
                        Map.entry("bad/missing", ErrorCode.NOT_FOUND),
                        Map.entry("bad/outside", ErrorCode.PATH_NOT_ALLOWED),
                        Map.entry("bad/no-uri", ErrorCode.MISSING_URI),
                        Map.entry("bad/not-an-image", ErrorCode.NOT_AN_IMAGE));
        List<Path> firstParts = new ArrayList<>(output.predictionFiles());
        firstParts.addAll(output.deadLetterFiles());

        // A crashed run's leftover is removed, not read.
        Path leftover =
                Files.writeString(output.predictions().resolve(".part-x-0.avro.inprogress"), "?");

        // Rerun with 10 more images and one more bad line: only those 11 are scored.
        for (Path image : images.subList(37, 47)) {
            lines.add(id(image) + "," + image.toUri());
        }
        lines.add("bad/missing-2," + work.resolve("gone.png").toUri());
        Files.write(manifest, lines);
        Map.Entry<Integer, String> second =
                run(
                        archive(
                                "--input",
                                manifest.toString(),
                                "--output-dir",
                                out.toString(),
                                "--allowed-root",
                                SAMPLES.toAbsolutePath().toString(),
                                "--allowed-root",
                                work.toString()));
        assertThat(second.getKey()).isZero();
        assertThat(second.getValue()).contains("41 already answered", "11 to score");
        assertThat(leftover).doesNotExist();
        answered = answers(output);
        assertThat(answered).hasSize(52).allSatisfy((id, count) -> assertThat(count).isOne());
        assertThat(firstParts).allSatisfy(part -> assertThat(part).exists());
        List<Prediction> newPredictions = new ArrayList<>(output.readPredictions());
        newPredictions.removeAll(predictions);
        assertThat(newPredictions)
                .extracting(Prediction::getRequestId)
                .containsExactlyInAnyOrderElementsOf(
                        images.subList(37, 47).stream().map(ArchiveITCase::id).toList());

        // A third run has nothing left to do.
        Map.Entry<Integer, String> third =
                run(
                        archive(
                                "--input",
                                manifest.toString(),
                                "--output-dir",
                                out.toString(),
                                "--allowed-root",
                                SAMPLES.toAbsolutePath().toString()));
        assertThat(third.getKey()).isZero();
        assertThat(third.getValue()).contains("52 already answered", "0 to score");
    }

    @Test
    void scoresAnS3PrefixFromAnS3CompatibleServer() throws Exception {
        s3.createBucket("archive");
        for (Path image : images.subList(100, 130)) {
            s3.put("archive", "fm/" + image.getFileName(), Files.readAllBytes(image));
        }
        s3.put("archive", "fm/notes.png", "not a png".getBytes(StandardCharsets.UTF_8));
        s3.put("archive", "other/elsewhere.png", Files.readAllBytes(images.get(0)));
        Path out = work.resolve("s3-out");

        Map.Entry<Integer, String> result =
                run(
                        archive(
                                "--input",
                                "s3://archive/fm/",
                                "--output-dir",
                                out.toString(),
                                "--s3-endpoint",
                                s3.endpoint(),
                                "--s3-region",
                                "us-east-1",
                                "--s3-path-style"));
        assertThat(result.getKey()).isZero();
        assertThat(result.getValue()).contains("31 images listed", "31 to score");

        ArchiveOutput output = new ArchiveOutput(out);
        List<Prediction> predictions = output.readPredictions();
        assertThat(predictions)
                .extracting(Prediction::getRequestId)
                .containsExactlyInAnyOrderElementsOf(
                        images.subList(100, 130).stream()
                                .map(i -> "s3://archive/fm/" + i.getFileName())
                                .toList());
        assertThat(predictions)
                .allSatisfy(p -> assertThat(p.getUri()).startsWith("s3://archive/fm/"));
        assertMostlyCorrect(predictions, "s3://archive/fm/");
        assertThat(output.readDeadLetters())
                .singleElement()
                .satisfies(
                        f -> {
                            assertThat(f.getRequestId()).isEqualTo("s3://archive/fm/notes.png");
                            assertThat(f.getCode()).isEqualTo(ErrorCode.NOT_AN_IMAGE);
                        });
    }

    @Test
    void sendsAnswersToKafkaWithoutFiles() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(work.resolve("kafka"))) {
            kafka.createTopics(2, "archive-out", "archive-dead");
            List<String> lines = new ArrayList<>();
            for (Path image : images.subList(150, 162)) {
                lines.add(image.toString()); // bare paths: the id is the line
            }
            lines.add(SAMPLES.resolve("images/missing.png").toAbsolutePath().toString());
            Path manifest = Files.write(work.resolve("kafka-manifest.txt"), lines);

            Map.Entry<Integer, String> result =
                    run(
                            archive(
                                    "--input",
                                    manifest.toString(),
                                    "--bootstrap-servers",
                                    kafka.bootstrapServers(),
                                    "--output-topic",
                                    "archive-out",
                                    "--dead-letter-topic",
                                    "archive-dead",
                                    "--allowed-root",
                                    SAMPLES.toAbsolutePath().toString()));
            assertThat(result.getKey()).isZero();

            RunSummary summary =
                    RunSummary.read(
                            kafka.bootstrapServers(), "archive-out", "archive-dead", Map.of());
            assertThat(summary.predictions())
                    .extracting(Prediction::getRequestId)
                    .containsExactlyInAnyOrderElementsOf(lines.subList(0, 12));
            assertThat(summary.failures())
                    .singleElement()
                    .satisfies(
                            f -> {
                                assertThat(f.getRequestId()).isEqualTo(lines.get(12));
                                assertThat(f.getCode()).isEqualTo(ErrorCode.NOT_FOUND);
                            });
        }
    }

    @Test
    void refusesARunWithoutAnOutput() {
        assertThat(Main.run("archive", "--input", "s3://archive/fm/")).isEqualTo(2);
        assertThat(
                        Main.run(
                                "archive",
                                "--input",
                                work.resolve("none.csv").toString(),
                                "--output-dir",
                                work.toString()))
                .isEqualTo(2);
    }
}
