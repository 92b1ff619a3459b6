package io.inceptionpipeline.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.inceptionpipeline.schemas.ClassScore;
import io.inceptionpipeline.schemas.ModelInfo;
import io.inceptionpipeline.schemas.Prediction;
import io.inceptionpipeline.schemas.Timings;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The sustained rate and the inference subtasks' busy share, from the predictions' timings. */
class RunSummaryTest {

    private static final long T0 = 1_700_000_000_000L;

    /**
     * The {@code size} predictions of one batch whose forward pass took {@code ms} up to {@code
     * end}.
     */
    private static List<Prediction> batch(String name, long end, float ms, int size) {
        List<Prediction> predictions = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            predictions.add(
                    Prediction.newBuilder()
                            .setRequestId(name + "-" + i)
                            .setUri("file:///" + name + "-" + i + ".jpg")
                            .setModel(
                                    new ModelInfo(
                                            "m", "test", "seeded:1", "onnxruntime", "fp32", "cpu"))
                            .setTopK(List.of(new ClassScore(0, "zero", 1f)))
                            .setCropMode("center")
                            .setTimings(new Timings(1f, 2f, 3f, ms))
                            .setBatchSize(size)
                            .setScoredAt(Instant.ofEpochMilli(T0 + end))
                            .build());
        }
        return predictions;
    }

    private static RunSummary summary(List<List<Prediction>> batches) {
        List<Prediction> all = new ArrayList<>();
        batches.forEach(all::addAll);
        return RunSummary.of(all, List.of());
    }

    @Test
    void oneSubtaskBackToBackIsFullyBusy() {
        // forward passes of 700 ms ending every 700 ms: no gap after the first batch
        RunSummary run =
                summary(
                        List.of(
                                batch("a", 700, 700f, 8),
                                batch("b", 1400, 700f, 8),
                                batch("c", 2100, 700f, 8),
                                batch("d", 2800, 700f, 8)));
        assertEquals(1.0, run.inferenceBusy(1), 1e-9);
        assertEquals(700.0, run.meanForwardPassMs(), 1e-9);
        assertEquals(24 / 2.1, run.steadyImagesPerSecond(), 1e-9);
        RunSummary.Span window = run.sustainedWindow().orElseThrow();
        assertEquals(T0 + 700, window.fromMillis());
        assertEquals(T0 + 2800, window.toMillis());
    }

    @Test
    void gapsBetweenBatchesAreIdle() {
        // 600 ms passes, a batch every 800 ms: busy 3 × 600 of 2,400 ms
        RunSummary run =
                summary(
                        List.of(
                                batch("a", 800, 600f, 8),
                                batch("b", 1600, 600f, 8),
                                batch("c", 2400, 600f, 8),
                                batch("d", 3200, 600f, 8)));
        assertEquals(0.75, run.inferenceBusy(1), 1e-9);
    }

    @Test
    void twoSubtasksShareTheWindowAndAPassStartedBeforeItCountsOnlyInside() {
        // Subtask a: 1000 ms passes ending at 1000, 2000, 3000. Subtask b: 1000 ms passes ending
        // at 1500 and 2500, then a 500 ms pass of 4 ending at 3000. The window runs from a's
        // first end (1000) to 3000: 2 s of 2 subtasks. b's first pass started at 500, so only
        // its last 500 ms are inside: 500 + 1000 + 1000 + 1000 + 500 = all 4000 ms busy.
        RunSummary run =
                summary(
                        List.of(
                                batch("a1", 1000, 1000f, 8),
                                batch("b1", 1500, 1000f, 8),
                                batch("a2", 2000, 1000f, 8),
                                batch("b2", 2500, 1000f, 8),
                                batch("a3", 3000, 1000f, 8),
                                batch("b3", 3000, 500f, 4)));
        assertEquals(1.0, run.inferenceBusy(2), 1e-9);
        assertEquals((1000 + 1000 + 1000 + 1000 + 1000 + 500) / 6.0, run.meanForwardPassMs(), 1e-9);
        assertTrue(run.inferenceBusy(1) > 1, "one subtask cannot hold two subtasks' passes");
    }

    @Test
    void theLaterHalfStartsAtTheLastBatchEndAtOrBeforeTheMiddle() {
        // ends at 0, 1000, 2000, 2500, 3000, 4200: the window's middle is 2100, so the later half
        // runs from 2000 to 4200 and holds the batches ending at 2500, 3000 and 4200 (8 + 8 + 4)
        RunSummary run =
                summary(
                        List.of(
                                batch("a", 0, 700f, 8),
                                batch("b", 1000, 700f, 8),
                                batch("c", 2000, 700f, 8),
                                batch("d", 2500, 500f, 8),
                                batch("e", 3000, 500f, 8),
                                batch("f", 4200, 700f, 4)));
        RunSummary.Span half = run.laterHalf().orElseThrow();
        assertEquals(T0 + 2000, half.fromMillis());
        assertEquals(T0 + 4200, half.toMillis());
        assertEquals(20 / 2.2, half.imagesPerSecond(), 1e-9);
        // two batch ends leave no half
        assertTrue(
                summary(List.of(batch("a", 0, 700f, 8), batch("b", 700, 700f, 8)))
                        .laterHalf()
                        .isEmpty());
    }

    @Test
    void aSingleBatchHasNoWindow() {
        RunSummary run = summary(List.of(batch("a", 700, 700f, 8)));
        assertTrue(Double.isNaN(run.inferenceBusy(1)));
        assertTrue(Double.isNaN(run.steadyImagesPerSecond()));
        assertTrue(run.sustainedWindow().isEmpty());
        assertThrows(IllegalArgumentException.class, () -> run.inferenceBusy(0));
    }
}
