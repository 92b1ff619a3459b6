package io.inceptionpipeline.operators.batch;

import static org.assertj.core.api.Assertions.assertThat;

import io.inceptionpipeline.operators.failure.Failures;
import io.inceptionpipeline.operators.records.CroppedImage;
import io.inceptionpipeline.operators.records.ImageRequest;
import io.inceptionpipeline.schemas.ClassScore;
import io.inceptionpipeline.schemas.ErrorCode;
import io.inceptionpipeline.schemas.ModelInfo;
import io.inceptionpipeline.schemas.Prediction;
import io.inceptionpipeline.schemas.Stage;
import io.inceptionpipeline.schemas.Timings;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * Keyed batching with Flink's operator test harness: flush on size, on the max-delay timer and at
 * the end of a bounded input; a half-full batch survives a snapshot and restore; a failing batch
 * becomes dead letters. The scorer here records the batches it is given (a stand-in for the model,
 * which the ITCase runs for real).
 */
class BatchInferenceFunctionTest {

    /** Scores by echoing: one prediction per crop, its label the batch's size. */
    static final class RecordingScorer implements BatchScorer {
        static final List<Integer> BATCHES = new ArrayList<>();
        static boolean fail;
        static long busyMs; // how long a forward pass takes

        @Override
        public List<Prediction> score(List<CroppedImage> batch, long queueEndMs)
                throws InterruptedException {
            if (fail) {
                throw new IllegalStateException("engine out of memory");
            }
            Thread.sleep(busyMs);
            BATCHES.add(batch.size());
            List<Prediction> out = new ArrayList<>();
            for (CroppedImage crop : batch) {
                out.add(
                        Prediction.newBuilder()
                                .setRequestId(crop.request.requestId)
                                .setUri(crop.request.uri)
                                .setModel(
                                        new ModelInfo("m", "v", "d", "onnxruntime", "fp32", "cpu"))
                                .setTopK(List.of(new ClassScore(0, "batch of " + batch.size(), 1f)))
                                .setCropMode("center")
                                .setTimings(
                                        new Timings(
                                                0f, 0f, (float) (queueEndMs - crop.readyAtMs), 0f))
                                .setScoredAt(Instant.ofEpochMilli(queueEndMs))
                                .build());
            }
            return out;
        }

        @Override
        public void close() {}
    }

    static KeyedOneInputStreamOperatorTestHarness<Integer, CroppedImage, Prediction> harness()
            throws Exception {
        return harness(new FlushPolicy.Throughput(100));
    }

    static KeyedOneInputStreamOperatorTestHarness<Integer, CroppedImage, Prediction> harness(
            FlushPolicy policy) throws Exception {
        BatchInferenceFunction function =
                new BatchInferenceFunction(3, policy, subtask -> new RecordingScorer());
        var harness =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(function), new BucketKeys(1, 128), Types.INT);
        harness.open();
        return harness;
    }

    static CroppedImage crop(String id, long readyAt) {
        CroppedImage crop = new CroppedImage();
        crop.request = new ImageRequest();
        crop.request.requestId = id;
        crop.request.uri = "file:///" + id;
        crop.width = 1;
        crop.height = 1;
        crop.pixels = new byte[3];
        crop.cropMode = "center";
        crop.readyAtMs = readyAt;
        return crop;
    }

    static List<String> ids(List<Prediction> predictions) {
        return predictions.stream().map(Prediction::getRequestId).toList();
    }

    @Test
    void flushesAFullBatchAtOnceAndAPartialOneWhenItsOldestWaitedMaxDelay() throws Exception {
        RecordingScorer.BATCHES.clear();
        RecordingScorer.fail = false;
        try (var h = harness()) {
            h.setProcessingTime(1000);
            h.processElement(new StreamRecord<>(crop("a", 1000)));
            h.processElement(new StreamRecord<>(crop("b", 1000)));
            assertThat(h.extractOutputValues()).isEmpty();
            h.processElement(new StreamRecord<>(crop("c", 1000)));
            assertThat(ids(h.extractOutputValues())).containsExactly("a", "b", "c");

            h.setProcessingTime(2000);
            h.processElement(new StreamRecord<>(crop("d", 2000)));
            h.setProcessingTime(2099);
            assertThat(h.extractOutputValues()).hasSize(3);
            h.setProcessingTime(2100);
            List<Prediction> out = h.extractOutputValues();
            assertThat(ids(out)).containsExactly("a", "b", "c", "d");
            assertThat(out.get(3).getTimings().getQueueMs()).isEqualTo(100f);
            assertThat(RecordingScorer.BATCHES).containsExactly(3, 1);
        }
    }

    @Test
    void latencyBatchingScoresALoneCropAtTheNextTickAndBatchesWhatArrivesBackToBack()
            throws Exception {
        RecordingScorer.BATCHES.clear();
        RecordingScorer.fail = false;
        try (var h = harness(new FlushPolicy.Latency(0, 100))) {
            h.setProcessingTime(1000);
            h.processElement(new StreamRecord<>(crop("a", 1000)));
            assertThat(h.extractOutputValues()).isEmpty();
            h.setProcessingTime(1001); // the millisecond passed without another crop
            assertThat(ids(h.extractOutputValues())).containsExactly("a");
            assertThat(h.extractOutputValues().get(0).getTimings().getQueueMs()).isEqualTo(1f);

            // a burst fills a batch at once
            h.setProcessingTime(2000);
            for (String id : List.of("b", "c", "d")) {
                h.processElement(new StreamRecord<>(crop(id, 2000)));
            }
            assertThat(ids(h.extractOutputValues())).containsExactly("a", "b", "c", "d");
            h.setProcessingTime(2005);
            h.processElement(new StreamRecord<>(crop("e", 2005)));
            h.setProcessingTime(2006);
            assertThat(ids(h.extractOutputValues())).containsExactly("a", "b", "c", "d", "e");
            assertThat(RecordingScorer.BATCHES).containsExactly(1, 3, 1);
            assertThat(h.numProcessingTimeTimers()).isZero();
        }
    }

    @Test
    void latencyBatchingLetsABatchQueuedBehindABusyModelFillForAsLongAsThatBatchTook()
            throws Exception {
        RecordingScorer.BATCHES.clear();
        RecordingScorer.fail = false;
        RecordingScorer.busyMs = 30;
        try (var h = harness(new FlushPolicy.Latency(0, 100))) {
            h.setProcessingTime(5000);
            for (String id : List.of("a", "b", "c")) {
                h.processElement(new StreamRecord<>(crop(id, 5000)));
            }
            // f was waiting in the input while a, b, c were scored (>= 30 ms of wall time)
            h.processElement(new StreamRecord<>(crop("f", 5000)));
            h.setProcessingTime(5001);
            h.setProcessingTime(5029);
            assertThat(ids(h.extractOutputValues())).containsExactly("a", "b", "c");
            h.setProcessingTime(5100); // at the latest the ceiling
            assertThat(ids(h.extractOutputValues())).containsExactly("a", "b", "c", "f");

            RecordingScorer.busyMs = 0;
            h.setProcessingTime(5200); // g finds the model idle
            h.processElement(new StreamRecord<>(crop("g", 5200)));
            h.setProcessingTime(5201);
            assertThat(ids(h.extractOutputValues())).containsExactly("a", "b", "c", "f", "g");
            assertThat(RecordingScorer.BATCHES).containsExactly(3, 1, 1);
        } finally {
            RecordingScorer.busyMs = 0;
        }
    }

    @Test
    void latencyBatchingWaitsForAQuietInputButNoLongerThanItsCeiling() throws Exception {
        RecordingScorer.BATCHES.clear();
        RecordingScorer.fail = false;
        BatchInferenceFunction function =
                new BatchInferenceFunction(
                        10, new FlushPolicy.Latency(5, 10), subtask -> new RecordingScorer());
        try (var h =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(function), new BucketKeys(1, 128), Types.INT)) {
            h.open();
            h.setProcessingTime(3000);
            h.processElement(new StreamRecord<>(crop("a", 3000)));
            h.setProcessingTime(3004); // quiet for 4 ms: not yet
            h.processElement(new StreamRecord<>(crop("b", 3004)));
            h.setProcessingTime(3008); // 4 ms after b: the timer moved to 3009
            assertThat(h.extractOutputValues()).isEmpty();
            h.processElement(new StreamRecord<>(crop("c", 3008)));
            h.setProcessingTime(3009); // quiet would be 3013, the ceiling is 3010
            assertThat(h.extractOutputValues()).isEmpty();
            h.setProcessingTime(3010);
            List<Prediction> out = h.extractOutputValues();
            assertThat(ids(out)).containsExactly("a", "b", "c");
            assertThat(out.get(0).getTimings().getQueueMs()).isEqualTo(10f);

            h.setProcessingTime(3020);
            h.processElement(new StreamRecord<>(crop("d", 3020)));
            h.setProcessingTime(3024);
            assertThat(h.extractOutputValues()).hasSize(3);
            h.setProcessingTime(3025); // quiet for 5 ms
            assertThat(ids(h.extractOutputValues())).containsExactly("a", "b", "c", "d");
            assertThat(RecordingScorer.BATCHES).containsExactly(3, 1);
        }
    }

    @Test
    void aLatencyBatchAndItsTimerSurviveASnapshotAndRestore() throws Exception {
        RecordingScorer.fail = false;
        OperatorSubtaskState snapshot;
        try (var h = harness(new FlushPolicy.Latency(0, 100))) {
            h.setProcessingTime(0);
            h.processElement(new StreamRecord<>(crop("x", 0)));
            h.processElement(new StreamRecord<>(crop("y", 0)));
            snapshot = h.snapshot(1, 0);
        }
        try (var restored =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(
                                new BatchInferenceFunction(
                                        3,
                                        new FlushPolicy.Latency(0, 100),
                                        subtask -> new RecordingScorer())),
                        new BucketKeys(1, 128),
                        Types.INT)) {
            restored.initializeState(snapshot);
            restored.open();
            assertThat(restored.extractOutputValues()).isEmpty();
            restored.setProcessingTime(1); // the restored timer fires: nothing waits for input
            assertThat(ids(restored.extractOutputValues())).containsExactly("x", "y");
        }
    }

    @Test
    void flushPoliciesAreParsedByName() {
        assertThat(FlushPolicy.parse("latency", 50)).isEqualTo(new FlushPolicy.Latency(0, 50));
        assertThat(new FlushPolicy.Latency(0, 50).flushAt(100, 120, 0)).isEqualTo(120);
        assertThat(new FlushPolicy.Latency(0, 50).flushAt(100, 120, 30)).isEqualTo(130);
        assertThat(new FlushPolicy.Latency(0, 50).flushAt(100, 120, 900)).isEqualTo(150);
        assertThat(new FlushPolicy.Throughput(50).flushAt(100, 120, 0)).isEqualTo(150);
        assertThat(FlushPolicy.parse("throughput", 50)).isEqualTo(new FlushPolicy.Throughput(50));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> FlushPolicy.parse("fast", 50))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("latency or throughput");
    }

    @Test
    void theEndOfABoundedInputFlushesWhatIsBuffered() throws Exception {
        RecordingScorer.fail = false;
        try (var h = harness()) {
            h.setProcessingTime(0);
            h.processElement(new StreamRecord<>(crop("last", 0)));
            h.processWatermark(new Watermark(Long.MAX_VALUE)); // what Flink sends when input ends
            assertThat(ids(h.extractOutputValues())).containsExactly("last");
        }
    }

    @Test
    void aHalfFullBatchSurvivesASnapshotAndRestore() throws Exception {
        RecordingScorer.fail = false;
        OperatorSubtaskState snapshot;
        try (var h = harness()) {
            h.setProcessingTime(0);
            h.processElement(new StreamRecord<>(crop("x", 0)));
            h.processElement(new StreamRecord<>(crop("y", 0)));
            snapshot = h.snapshot(1, 10);
        }
        try (var restored =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(
                                new BatchInferenceFunction(
                                        3, 100, subtask -> new RecordingScorer())),
                        new BucketKeys(1, 128),
                        Types.INT)) {
            restored.initializeState(snapshot);
            restored.open();
            restored.setProcessingTime(10);
            restored.processElement(new StreamRecord<>(crop("z", 10)));
            assertThat(ids(restored.extractOutputValues())).containsExactly("x", "y", "z");
        }
    }

    @Test
    void aFailedBatchSendsEachRequestToTheDeadLetters() throws Exception {
        RecordingScorer.fail = true;
        try (var h = harness()) {
            h.setProcessingTime(0);
            for (String id : List.of("p", "q", "r")) {
                h.processElement(new StreamRecord<>(crop(id, 0)));
            }
            assertThat(h.extractOutputValues()).isEmpty();
            var failures = h.getSideOutput(Failures.TAG);
            assertThat(failures).hasSize(3);
            assertThat(failures)
                    .allSatisfy(
                            r -> {
                                assertThat(r.getValue().getStage()).isEqualTo(Stage.INFERENCE);
                                assertThat(r.getValue().getCode())
                                        .isEqualTo(ErrorCode.INFERENCE_FAILED);
                                assertThat(r.getValue().getMessage())
                                        .contains("engine out of memory");
                            });
        } finally {
            RecordingScorer.fail = false;
        }
    }
}
