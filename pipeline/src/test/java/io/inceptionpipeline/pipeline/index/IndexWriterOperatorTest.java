package io.inceptionpipeline.pipeline.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.inceptionpipeline.schemas.Prediction;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The index writer's commits against Flink's checkpoint protocol, with the operator harness. */
class IndexWriterOperatorTest {

    @TempDir Path dir;

    private OneInputStreamOperatorTestHarness<Prediction, Void> harness(boolean checkpointed)
            throws Exception {
        return new OneInputStreamOperatorTestHarness<>(
                new IndexWriterOperator(
                        dir.toString(), checkpointed, EmbeddingDocuments.DEFAULT_BEAM_WIDTH),
                1,
                1,
                0);
    }

    /** The committed index: request id → top-1 label (null: no commit yet). */
    private Map<String, String> committed() throws Exception {
        try (EmbeddingIndexReader reader = EmbeddingIndexReader.open(dir)) {
            Map<String, String> out = new TreeMap<>();
            reader.documents().forEach(d -> out.put(d.id(), d.label()));
            return out;
        } catch (IllegalArgumentException noCommit) {
            return null;
        }
    }

    @Test
    void commitsWhatPrecededTheBarrierWhenTheCheckpointCompletes() throws Exception {
        try (var h = harness(true)) {
            h.open();
            h.processElement(TestPredictions.of("a", 1, 8), 0);
            h.processElement(TestPredictions.of("b", 2, 8), 0);
            h.snapshot(1, 0);
            h.processElement(TestPredictions.of("c", 3, 8), 0); // after barrier 1
            assertThat(committed()).isNull(); // prepared, not committed
            h.notifyOfCompletedCheckpoint(1);
            assertThat(committed()).containsOnlyKeys("a", "b");
            h.snapshot(2, 0);
            h.notifyOfCompletedCheckpoint(2);
            assertThat(committed()).containsOnlyKeys("a", "b", "c");
        }
    }

    @Test
    void aLaterCompletionCommitsAPendingPrepareAndALostNotificationIsRecoveredFromState()
            throws Exception {
        OperatorSubtaskState afterTwo;
        try (var h = harness(true)) {
            h.open();
            h.processElement(TestPredictions.of("a", 1, 8), 0);
            h.snapshot(1, 0); // prepared {a}; its notification never comes
            h.processElement(TestPredictions.of("b", 2, 8), 0);
            afterTwo = h.snapshot(2, 0); // {a} still pending: b waits for a later prepare
            h.processElement(TestPredictions.of("c", 3, 8), 0);
            // the job fails here: checkpoint 2 completed, no notification handled
        }
        assertThat(committed()).isNull();
        try (var h = harness(true)) {
            h.initializeState(afterTwo);
            h.open();
            h.snapshot(3, 0);
            h.notifyOfCompletedCheckpoint(3);
            // a and b (before barrier 2) from the state; c is replayed by the source
            assertThat(committed()).containsOnlyKeys("a", "b");
        }
    }

    @Test
    void aRequestScoredAgainReplacesItsDocument() throws Exception {
        try (var h = harness(true)) {
            h.open();
            h.processElement(TestPredictions.of("a", 1, 8), 0);
            h.snapshot(1, 0);
            h.notifyOfCompletedCheckpoint(1);
            h.processElement(TestPredictions.of("a", 7, 8), 0);
            h.snapshot(2, 0);
            h.notifyOfCompletedCheckpoint(2);
        }
        assertThat(committed()).containsExactly(Map.entry("a", "class-7"));
    }

    @Test
    void withoutCheckpointsCommitsAtTheEndOfInputOnly() throws Exception {
        try (var h = harness(false)) {
            h.open();
            h.processElement(TestPredictions.of("a", 1, 8), 0);
            assertThat(committed()).isNull();
            ((IndexWriterOperator) h.getOneInputOperator()).endInput();
            assertThat(committed()).containsOnlyKeys("a");
        }
        try (var h = harness(false)) {
            h.open();
            h.processElement(TestPredictions.of("b", 2, 8), 0);
            // a failed run: closed without reaching its end
        }
        assertThat(committed()).containsOnlyKeys("a");
    }

    @Test
    void refusesEmbeddingsOfOtherWeights() throws Exception {
        try (var h = harness(true)) {
            h.open();
            h.processElement(TestPredictions.of("a", 1, 8), 0);
            assertThatThrownBy(
                            () ->
                                    h.processElement(
                                            TestPredictions.of("b", 2, 8, "sha256:other"), 0))
                    .hasMessageContaining("with weights sha256:test, not of")
                    .hasMessageContaining("sha256:other");
        }
    }
}
