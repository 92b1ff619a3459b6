package io.inceptionpipeline.operators.deserialize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.inceptionpipeline.operators.failure.Failures;
import io.inceptionpipeline.operators.records.ImageRequest;
import io.inceptionpipeline.schemas.ErrorCode;
import io.inceptionpipeline.schemas.ScoringFailure;
import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

class DropDuplicateRequestsTest {

    private static KeyedOneInputStreamOperatorTestHarness<String, ImageRequest, ImageRequest>
            harness(Duration window) throws Exception {
        var harness =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(new DropDuplicateRequests(window)),
                        (ImageRequest r) -> r.requestId,
                        Types.STRING);
        harness.open();
        return harness;
    }

    private static ImageRequest request(String id) {
        ImageRequest request = new ImageRequest();
        request.requestId = id;
        request.uri = "file:///images/" + id + ".png";
        return request;
    }

    private static List<String> passed(
            KeyedOneInputStreamOperatorTestHarness<String, ImageRequest, ImageRequest> harness) {
        return harness.extractOutputValues().stream().map(r -> r.requestId).toList();
    }

    private static List<ScoringFailure> deadLetters(
            KeyedOneInputStreamOperatorTestHarness<String, ImageRequest, ImageRequest> harness) {
        return harness.getSideOutput(Failures.TAG) == null
                ? List.of()
                : harness.getSideOutput(Failures.TAG).stream().map(StreamRecord::getValue).toList();
    }

    @Test
    void aSecondRequestWithTheSameIdIsADeadLetter() throws Exception {
        try (var harness = harness(Duration.ofMinutes(10))) {
            harness.processElement(request("a"), 0);
            harness.processElement(request("b"), 0);
            harness.processElement(request("a"), 0);

            assertThat(passed(harness)).containsExactly("a", "b");
            assertThat(deadLetters(harness))
                    .singleElement()
                    .satisfies(
                            f -> {
                                assertThat(f.getRequestId()).isEqualTo("a");
                                assertThat(f.getCode()).isEqualTo(ErrorCode.DUPLICATE_REQUEST_ID);
                            });
        }
    }

    @Test
    void idsSeenSurviveARestoreFromASnapshot() throws Exception {
        OperatorSubtaskState snapshot;
        try (var harness = harness(Duration.ofMinutes(10))) {
            harness.processElement(request("a"), 0);
            snapshot = harness.snapshot(1, 1);
        }
        var restored =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(
                                new DropDuplicateRequests(Duration.ofMinutes(10))),
                        (ImageRequest r) -> r.requestId,
                        Types.STRING);
        restored.initializeState(snapshot);
        restored.open();
        restored.processElement(request("a"), 0);
        assertThat(passed(restored)).isEmpty();
        assertThat(deadLetters(restored)).hasSize(1);
        restored.close();
    }

    @Test
    void anIdIsForgottenAfterTheWindow() throws Exception {
        try (var harness = harness(Duration.ofSeconds(60))) {
            harness.setStateTtlProcessingTime(0);
            harness.processElement(request("a"), 0);
            harness.setStateTtlProcessingTime(61_000);
            harness.processElement(request("a"), 0);
            assertThat(passed(harness)).containsExactly("a", "a");
        }
    }

    @Test
    void theWindowMustBePositive() {
        assertThatThrownBy(() -> new DropDuplicateRequests(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
