package io.inceptionpipeline.pipeline.archive;

import static org.assertj.core.api.Assertions.assertThat;

import io.inceptionpipeline.operators.records.RawMessage;
import io.inceptionpipeline.schemas.ClassScore;
import io.inceptionpipeline.schemas.ErrorCode;
import io.inceptionpipeline.schemas.ModelInfo;
import io.inceptionpipeline.schemas.Prediction;
import io.inceptionpipeline.schemas.ScoringFailure;
import io.inceptionpipeline.schemas.Stage;
import io.inceptionpipeline.schemas.Timings;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.StreamFlatMap;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The manifest's parsing operator on Flink's operator test harness: resume by id, lines read. */
class ManifestParserTest {

    @TempDir Path dir;

    private static OneInputStreamOperatorTestHarness<ManifestLine, RawMessage> harness(
            ManifestParser parser) throws Exception {
        return new OneInputStreamOperatorTestHarness<>(new StreamFlatMap<>(parser));
    }

    private static List<String> ids(OneInputStreamOperatorTestHarness<?, RawMessage> harness) {
        return harness.extractOutputValues().stream()
                .map(m -> new String(m.key, StandardCharsets.UTF_8))
                .toList();
    }

    @Test
    void skipsExactlyTheIdsAnsweredInCompletePartFiles() throws Exception {
        ArchiveOutput output = new ArchiveOutput(dir);
        output.prepare();
        write(
                output.predictions().resolve("part-r1-0.avro"),
                Prediction.getClassSchema(),
                prediction("a"),
                prediction("c"));
        write(
                output.predictions().resolve("part-r1-1.avro"),
                Prediction.getClassSchema(),
                prediction("s3://b/ä x.png"));
        write(
                output.deadLetters().resolve("part-r1-0.avro"),
                ScoringFailure.getClassSchema(),
                deadLetter("d", null),
                deadLetter(null, "key-only"));
        // Not complete: a run restoring its checkpoint may yet commit it, so its ids are not
        // answered.
        write(
                output.predictions().resolve(".part-r2-0.avro.inprogress.1234"),
                Prediction.getClassSchema(),
                prediction("b"));

        try (var harness = harness(new ManifestParser("manifest.csv", dir, "skip-run"))) {
            harness.open();
            List<String> lines =
                    List.of(
                            "id,uri",
                            "a,file:///x/a.png",
                            "b,file:///x/b.png",
                            "# c",
                            "c,file:///x/c.png",
                            "d,file:///x/d.png",
                            "e,file:///x/e.png",
                            "key-only,file:///x/k.png",
                            "s3://b/ä x.png",
                            "s3://b/a x.png",
                            "A,file:///x/A.png");
            for (int i = 0; i < lines.size(); i++) {
                harness.processElement(new ManifestLine(i + 1, lines.get(i)), 0);
            }
            assertThat(ids(harness)).containsExactly("b", "e", "s3://b/a x.png", "A");
        }
    }

    @Test
    void linesReadCountFromTheManifestsStartAfterARestore() throws Exception {
        ArchiveProgress first = new ArchiveProgress("lines-run-1", 9, 9);
        ArchiveProgress second = new ArchiveProgress("lines-run-2", 9, 9);
        ArchiveProgress third = new ArchiveProgress("lines-run-3", 9, 9);
        try {
            OperatorSubtaskState afterFour;
            try (var harness = harness(new ManifestParser("m", null, "lines-run-1"))) {
                harness.open();
                for (int n = 1; n <= 4; n++) {
                    harness.processElement(new ManifestLine(n, "id-" + n + ",file:///x.png"), 0);
                }
                afterFour = harness.snapshot(1, 0);
                assertThat(first.linesRead()).isEqualTo(4);
            }

            // The restored run's source skips lines 1-4 and reads on from line 5.
            OperatorSubtaskState atTheEnd;
            try (var harness = harness(new ManifestParser("m", null, "lines-run-2"))) {
                harness.initializeState(afterFour);
                harness.open();
                assertThat(second.linesRead()).isEqualTo(4);
                for (int n = 5; n <= 9; n++) {
                    harness.processElement(new ManifestLine(n, "id-" + n + ",file:///x.png"), 0);
                }
                assertThat(second.linesRead()).isEqualTo(9);
                assertThat(second.line()).endsWith(", 9/9 lines read");
                atTheEnd = harness.snapshot(2, 0);
            }

            // Read to its end before the checkpoint: the restored source reads no line at all.
            try (var harness = harness(new ManifestParser("m", null, "lines-run-3"))) {
                harness.initializeState(atTheEnd);
                harness.open();
                assertThat(third.linesRead()).isEqualTo(9);
            }
        } finally {
            first.close();
            second.close();
            third.close();
        }
    }

    static Prediction prediction(String id) {
        return Prediction.newBuilder()
                .setRequestId(id)
                .setUri("file:///x/" + id + ".png")
                .setModel(new ModelInfo("m", "test", "sha256:test", "onnxruntime", "fp32", "cpu"))
                .setTopK(List.of(new ClassScore(1, "one", 0.5f)))
                .setEmbedding(List.of(0.25f, -0.5f, 1f))
                .setCropMode("center")
                .setTimings(new Timings(0f, 0f, 0f, 0f))
                .setScoredAt(Instant.ofEpochMilli(1_700_000_000_000L))
                .build();
    }

    static ScoringFailure deadLetter(String id, String key) {
        return ScoringFailure.newBuilder()
                .setRequestId(id)
                .setOriginalKey(
                        key == null ? null : ByteBuffer.wrap(key.getBytes(StandardCharsets.UTF_8)))
                .setStage(Stage.FETCH)
                .setCode(ErrorCode.NOT_FOUND)
                .setMessage("x")
                .setFailedAt(Instant.ofEpochMilli(1_700_000_000_000L))
                .build();
    }

    @SafeVarargs
    static <T> void write(Path file, Schema schema, T... records) throws Exception {
        Files.createDirectories(file.getParent());
        try (DataFileWriter<T> writer = new DataFileWriter<>(new SpecificDatumWriter<T>(schema))) {
            writer.create(schema, file.toFile());
            for (T record : records) {
                writer.append(record);
            }
        }
    }
}
