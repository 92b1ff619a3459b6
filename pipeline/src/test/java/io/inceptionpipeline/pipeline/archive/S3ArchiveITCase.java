package io.inceptionpipeline.pipeline.archive;

import static org.assertj.core.api.Assertions.assertThat;

import io.inceptionpipeline.pipeline.S3TestServer;
import io.inceptionpipeline.schemas.ErrorCode;
import io.inceptionpipeline.schemas.Prediction;
import io.inceptionpipeline.schemas.ScoringFailure;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * {@code archive} over S3 as a user runs it, against a real S3 API (s3proxy), scoring Fashion-MNIST
 * PNGs with the shipped model: a prefix listed 7 keys a page as the job runs, every object answered
 * once, and a rerun answering only the objects added since; a manifest stored as an S3 object, read
 * in the stream with its line numbers in dead letters.
 */
class S3ArchiveITCase {

    static final Path IMAGES = Path.of("../samples/fashion-mnist/images");

    @TempDir static Path work;
    static S3TestServer s3;
    static List<Path> images;

    @BeforeAll
    static void start() throws Exception {
        s3 = S3TestServer.start(Files.createDirectories(work.resolve("s3")));
        try (Stream<Path> files = Files.list(IMAGES)) {
            images = files.sorted().toList();
        }
    }

    @AfterAll
    static void stop() throws Exception {
        s3.close();
    }

    private static Map.Entry<Integer, String> archive(String input, Path out) {
        String[] args = {
            "archive",
            "--input",
            input,
            "--output-dir",
            out.toString(),
            "--s3-endpoint",
            s3.endpoint(),
            "--s3-region",
            "us-east-1",
            "--s3-path-style",
            "--model",
            "inception_resnet_fmnist",
            "--no-embeddings",
            "--fetch-parallelism",
            "2",
            "--inference-parallelism",
            "1",
            "--batch-size",
            "8",
            "--progress-interval-ms",
            "200"
        };
        return ArchiveRuns.run(args);
    }

    private static List<String> put(String bucket, String prefix, List<Path> files)
            throws Exception {
        List<String> ids = new ArrayList<>();
        try (S3Client client = s3.client()) { // one client for all uploads
            for (Path file : files) {
                String key = prefix + file.getFileName();
                client.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromFile(file));
                ids.add("s3://" + bucket + "/" + key);
            }
        }
        return ids;
    }

    @Test
    void listsAPrefixPageByPageAnswersEachObjectOnceAndAResumedRunOnlyNewOnes() throws Exception {
        s3.createBucket("pages");
        List<String> ids = put("pages", "fm/", images.subList(0, 50));
        s3.put("pages", "fm/folder/", new byte[0]); // a "folder" placeholder: left out
        s3.put("pages", "other/outside.png", Files.readAllBytes(images.get(60)));
        Path out = work.resolve("pages-out");
        ArchiveOutput output = new ArchiveOutput(out);

        int pageSize = S3PrefixInput.defaultPageSize;
        S3PrefixInput.defaultPageSize = 7; // 50 objects: 8 pages
        try {
            Map.Entry<Integer, String> first = archive("s3://pages/fm/", out);
            assertThat(first.getKey()).isZero();
            assertThat(first.getValue())
                    .contains(
                            "listing s3://pages/fm/ page by page",
                            "50 images listed in s3://pages/fm/, 0 already answered",
                            "50 to score")
                    .containsPattern("\\] 50/50 100% [0-9.]+ img/s ETA 00:00 .*, 50/50 lines");
            Map<String, Long> answered = ArchiveRuns.answers(output);
            assertThat(answered.keySet()).containsExactlyInAnyOrderElementsOf(ids);
            assertThat(answered).allSatisfy((id, count) -> assertThat(count).as(id).isOne());
            assertThat(output.readDeadLetters()).isEmpty();

            // Six objects added: the rerun lists all 56, skips the 50 answered as it lists.
            List<String> added = put("pages", "fm/", images.subList(50, 56));
            Map.Entry<Integer, String> second = archive("s3://pages/fm/", out);
            assertThat(second.getKey()).isZero();
            assertThat(second.getValue())
                    .contains("56 images listed in s3://pages/fm/, 50 already answered")
                    .containsPattern("\\] 6/6 100% .*, 56/56 lines");
            answered = ArchiveRuns.answers(output);
            List<String> all = new ArrayList<>(ids);
            all.addAll(added);
            assertThat(answered.keySet()).containsExactlyInAnyOrderElementsOf(all);
            assertThat(answered).allSatisfy((id, count) -> assertThat(count).as(id).isOne());
        } finally {
            S3PrefixInput.defaultPageSize = pageSize;
        }
    }

    @Test
    void readsAManifestObjectWithItsLineNumbersInDeadLetters() throws Exception {
        s3.createBucket("batches");
        List<String> ids = put("batches", "img/", images.subList(70, 78));
        List<String> lines = new ArrayList<>(List.of("id,uri", "# 8 images, 2 bad lines"));
        for (int i = 0; i < ids.size(); i++) {
            lines.add("item-" + i + "," + ids.get(i));
        }
        lines.add("bad/no-uri,"); // line 11
        lines.add("bad/missing,s3://batches/img/none.png"); // line 12
        lines.add("item-0," + ids.get(1)); // a repeated id: left out
        s3.put(
                "batches",
                "manifests/batch-7.csv",
                String.join("\r\n", lines).getBytes(StandardCharsets.UTF_8));
        Path out = work.resolve("batch-out");

        Map.Entry<Integer, String> result = archive("s3://batches/manifests/batch-7.csv", out);
        assertThat(result.getKey()).isZero();
        assertThat(result.getValue())
                .contains(
                        "10 images listed in s3://batches/manifests/batch-7.csv (1 repeated ids"
                                + " left out), 0 already answered",
                        "10 to score")
                .containsPattern("\\] 10/10 100% .*, 13/13 lines");

        ArchiveOutput output = new ArchiveOutput(out);
        assertThat(output.readPredictions())
                .extracting(Prediction::getRequestId)
                .containsExactlyInAnyOrder(
                        "item-0", "item-1", "item-2", "item-3", "item-4", "item-5", "item-6",
                        "item-7");
        assertThat(output.readPredictions())
                .filteredOn(p -> p.getRequestId().equals("item-0"))
                .singleElement()
                .satisfies(p -> assertThat(p.getUri()).isEqualTo(ids.get(0)));
        Map<String, ScoringFailure> deadLetters =
                output.readDeadLetters().stream()
                        .collect(Collectors.toMap(ArchiveOutput::idOf, Function.identity()));
        assertThat(deadLetters).containsOnlyKeys("bad/no-uri", "bad/missing");
        ScoringFailure noUri = deadLetters.get("bad/no-uri");
        assertThat(noUri.getCode()).isEqualTo(ErrorCode.MISSING_URI);
        assertThat(noUri.getSource().getTopic().toString())
                .isEqualTo("s3://batches/manifests/batch-7.csv");
        assertThat(noUri.getSource().getOffset()).isEqualTo(11L);
        assertThat(deadLetters.get("bad/missing").getCode()).isEqualTo(ErrorCode.NOT_FOUND);
        assertThat(deadLetters.get("bad/missing").getSource().getOffset()).isEqualTo(12L);

        // The same manifest again: every id answered, nothing to score.
        Map.Entry<Integer, String> again = archive("s3://batches/manifests/batch-7.csv", out);
        assertThat(again.getKey()).isZero();
        assertThat(again.getValue()).contains("10 already answered", "0 to score");
    }
}
