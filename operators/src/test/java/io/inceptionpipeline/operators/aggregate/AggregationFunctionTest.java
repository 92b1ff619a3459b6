package io.inceptionpipeline.operators.aggregate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.inceptionpipeline.operators.failure.Failures;
import io.inceptionpipeline.schemas.ClassScore;
import io.inceptionpipeline.schemas.ErrorCode;
import io.inceptionpipeline.schemas.ModelInfo;
import io.inceptionpipeline.schemas.Prediction;
import io.inceptionpipeline.schemas.ScoringFailure;
import io.inceptionpipeline.schemas.Stage;
import io.inceptionpipeline.schemas.Timings;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * The fan-in with Flink's two-input operator harness: a request's units averaged into one
 * prediction (weighted across members), a checkpoint between two units restored, a failed unit and
 * a timeout each one dead letter, late units of a finished request dropped.
 */
class AggregationFunctionTest {

    private static final AggregationConfig TWO_CROPS_TWO_MODELS =
            new AggregationConfig("ten", 2, List.of("a", "b"), List.of(3.0, 1.0), 2, 1000);

    static ScoredUnit unit(String id, int member, float... probabilities) {
        List<ClassScore> scores = new ArrayList<>();
        for (int c = probabilities.length - 1; c >= 0; c--) { // any order
            scores.add(new ClassScore(c, "class " + c, probabilities[c]));
        }
        Prediction p =
                Prediction.newBuilder()
                        .setRequestId(id)
                        .setUri("file:///" + id)
                        .setModel(
                                new ModelInfo(
                                        member == 0 ? "a" : "b",
                                        "v",
                                        "sha256:m" + member,
                                        "onnxruntime",
                                        "fp32",
                                        "cpu"))
                        .setTopK(scores)
                        .setEmbedding(List.of(probabilities[0] * 2, 1f))
                        .setCropMode("ten")
                        .setTimings(new Timings(1f, 2f, 3f + member, 10f))
                        .setScoredAt(Instant.ofEpochMilli(1))
                        .build();
        return new ScoredUnit(member, p);
    }

    static KeyedTwoInputStreamOperatorTestHarness<String, ScoredUnit, ScoringFailure, Prediction>
            harness(AggregationConfig config) throws Exception {
        var harness =
                new KeyedTwoInputStreamOperatorTestHarness<>(
                        new KeyedCoProcessOperator<>(new AggregationFunction(config)),
                        new AggregationFunction.UnitKey(),
                        new AggregationFunction.FailureKey(),
                        Types.STRING);
        harness.open();
        return harness;
    }

    static ScoringFailure failedUnit(String id) {
        return ScoringFailure.newBuilder()
                .setRequestId(id)
                .setUri("file:///" + id)
                .setStage(Stage.INFERENCE)
                .setCode(ErrorCode.INFERENCE_FAILED)
                .setMessage("engine out of memory")
                .setFailedAt(Instant.ofEpochMilli(1))
                .build();
    }

    @Test
    void averagesEveryUnitOfARequestWeightedByMember() throws Exception {
        try (var h = harness(TWO_CROPS_TWO_MODELS)) {
            h.processElement1(new StreamRecord<>(unit("r1", 0, 0.6f, 0.3f, 0.1f)));
            h.processElement1(new StreamRecord<>(unit("r2", 0, 0.1f, 0.1f, 0.8f)));
            h.processElement1(new StreamRecord<>(unit("r1", 1, 0.1f, 0.8f, 0.1f)));
            h.processElement1(new StreamRecord<>(unit("r1", 0, 0.4f, 0.5f, 0.1f)));
            assertThat(h.extractOutputValues()).isEmpty();
            h.processElement1(new StreamRecord<>(unit("r1", 1, 0.1f, 0.7f, 0.2f)));

            List<Prediction> out = h.extractOutputValues();
            assertThat(out).hasSize(1);
            Prediction p = out.get(0);
            assertThat(p.getRequestId()).isEqualTo("r1");
            // member a (weight 3): 0.6 and 0.4; member b (weight 1): 0.1 and 0.1 -> class 0
            double class0 = (3 * 0.6 + 3 * 0.4 + 0.1 + 0.1) / 8;
            double class1 = (3 * 0.3 + 3 * 0.5 + 0.8 + 0.7) / 8;
            assertThat(p.getTopK()).hasSize(2);
            assertThat(p.getTopK().get(0).getIndex()).isEqualTo(1);
            assertThat(p.getTopK().get(0).getLabel()).isEqualTo("class 1");
            assertThat((double) p.getTopK().get(0).getScore()).isCloseTo(class1, within(1e-6));
            assertThat((double) p.getTopK().get(1).getScore()).isCloseTo(class0, within(1e-6));
            assertThat(p.getCropCount()).isEqualTo(2);
            assertThat(p.getCropMode()).isEqualTo("ten");
            assertThat(p.getEnsemble())
                    .extracting(m -> m.getName() + " " + m.getWeightsDigest() + " " + m.getWeight())
                    .containsExactly("a sha256:m0 3.0", "b sha256:m1 1.0");
            // the embedding is the plain mean of the units'
            assertThat((double) p.getEmbedding().get(0))
                    .isCloseTo(2 * (0.6 + 0.4 + 0.1 + 0.1) / 4, within(1e-6));
            assertThat(p.getTimings().getQueueMs()).isEqualTo(4f);
            assertThat(p.getTimings().getInferenceMs()).isEqualTo(40f);
            assertThat(h.getSideOutput(Failures.TAG)).isNull();
        }
    }

    @Test
    void aHalfAggregatedRequestSurvivesASnapshotAndRestore() throws Exception {
        OperatorSubtaskState snapshot;
        try (var h = harness(TWO_CROPS_TWO_MODELS)) {
            h.processElement1(new StreamRecord<>(unit("r1", 0, 0.6f, 0.3f, 0.1f)));
            h.processElement1(new StreamRecord<>(unit("r1", 1, 0.1f, 0.8f, 0.1f)));
            snapshot = h.snapshot(1, 10);
        }
        try (var restored =
                new KeyedTwoInputStreamOperatorTestHarness<>(
                        new KeyedCoProcessOperator<>(new AggregationFunction(TWO_CROPS_TWO_MODELS)),
                        new AggregationFunction.UnitKey(),
                        new AggregationFunction.FailureKey(),
                        Types.STRING)) {
            restored.setup();
            restored.initializeState(snapshot);
            restored.open();
            restored.processElement1(new StreamRecord<>(unit("r1", 0, 0.4f, 0.5f, 0.1f)));
            assertThat(restored.extractOutputValues()).isEmpty();
            restored.processElement1(new StreamRecord<>(unit("r1", 1, 0.1f, 0.7f, 0.2f)));
            List<Prediction> out = restored.extractOutputValues();
            assertThat(out).hasSize(1);
            assertThat((double) out.get(0).getTopK().get(0).getScore())
                    .isCloseTo((3 * 0.3 + 3 * 0.5 + 0.8 + 0.7) / 8, within(1e-6));
        }
    }

    @Test
    void aFailedUnitSendsTheRequestToTheDeadLettersOnceAndDropsTheRest() throws Exception {
        try (var h = harness(TWO_CROPS_TWO_MODELS)) {
            h.processElement1(new StreamRecord<>(unit("r1", 0, 0.6f, 0.3f, 0.1f)));
            h.processElement2(new StreamRecord<>(failedUnit("r1")));
            h.processElement2(new StreamRecord<>(failedUnit("r1"))); // another unit of its batch
            h.processElement1(new StreamRecord<>(unit("r1", 1, 0.1f, 0.8f, 0.1f)));
            h.processElement1(new StreamRecord<>(unit("r1", 0, 0.4f, 0.5f, 0.1f)));
            h.processElement1(new StreamRecord<>(unit("r1", 1, 0.1f, 0.7f, 0.2f)));
            assertThat(h.extractOutputValues()).isEmpty();
            var dead = new ArrayList<>(h.getSideOutput(Failures.TAG));
            assertThat(dead).hasSize(1);
            ScoringFailure f = dead.get(0).getValue();
            assertThat(f.getRequestId()).isEqualTo("r1");
            assertThat(f.getStage()).isEqualTo(Stage.INFERENCE);
            assertThat(f.getCode()).isEqualTo(ErrorCode.INFERENCE_FAILED);
            assertThat(f.getMessage())
                    .contains("1 of 4 units scored, crop mode ten, 2 model(s)")
                    .contains("engine out of memory");
        }
    }

    @Test
    void anIncompleteRequestTimesOutIntoOneDeadLetter() throws Exception {
        try (var h = harness(TWO_CROPS_TWO_MODELS)) {
            h.setProcessingTime(0);
            h.processElement1(new StreamRecord<>(unit("r1", 0, 0.6f, 0.3f, 0.1f)));
            h.processElement1(new StreamRecord<>(unit("r1", 1, 0.6f, 0.3f, 0.1f)));
            h.setProcessingTime(999);
            assertThat(h.getSideOutput(Failures.TAG)).isNull();
            h.setProcessingTime(1000);
            var dead = new ArrayList<>(h.getSideOutput(Failures.TAG));
            assertThat(dead).hasSize(1);
            ScoringFailure f = dead.get(0).getValue();
            assertThat(f.getStage()).isEqualTo(Stage.AGGREGATE);
            assertThat(f.getCode()).isEqualTo(ErrorCode.AGGREGATION_TIMEOUT);
            assertThat(f.getMessage()).isEqualTo("Only 2 of 4 units scored within 1000 ms");
            assertThat(f.getUri()).isEqualTo("file:///r1");
            // a straggler is dropped while the id is remembered ...
            h.processElement1(new StreamRecord<>(unit("r1", 0, 0.6f, 0.3f, 0.1f)));
            h.setProcessingTime(2000);
            assertThat(h.extractOutputValues()).isEmpty();
            assertThat(h.getSideOutput(Failures.TAG)).hasSize(1);
            // ... and forgotten after: the id may be used again.
            assertThat(h.numKeyedStateEntries()).isZero();
        }
    }

    @Test
    void oneModelTenCropsIsThePlainMean() {
        AggregationConfig ten =
                new AggregationConfig("ten", 10, List.of("a"), List.of(1.0), 3, 1000);
        RequestAggregate aggregate = RequestAggregate.start(1);
        double sum = 0;
        for (int i = 0; i < 10; i++) {
            float p = i / 20f;
            aggregate.add(unit("r", 0, p, 1 - p, 0f), 1.0);
            sum += p;
        }
        Prediction p = aggregate.result(ten, Instant.ofEpochMilli(5));
        assertThat(p.getEnsemble()).isNull();
        assertThat(p.getCropCount()).isEqualTo(10);
        assertThat(p.getTopK()).extracting(ClassScore::getIndex).containsExactly(1, 0, 2);
        assertThat((double) p.getTopK().get(1).getScore()).isCloseTo(sum / 10, within(1e-6));
    }

    @Test
    void aUnitWithoutEveryClassIsRefused() {
        RequestAggregate aggregate = RequestAggregate.start(1);
        aggregate.add(unit("r", 0, 0.5f, 0.5f), 1.0);
        ScoredUnit partial = unit("r", 0, 0.5f, 0.5f);
        partial.prediction.setTopK(
                List.of(new ClassScore(0, "a", 0.5f), new ClassScore(0, "a", 0.5f)));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> aggregate.add(partial, 1.0))
                .hasMessageContaining("must list every class once");
    }
}
