package io.inceptionpipeline.pipeline.loadgen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.inceptionpipeline.pipeline.loadgen.LatencyReport.Receipt;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Matching answers to sends by id, and nearest-rank percentiles, on known inputs. */
class LatencyReportTest {

    static final long MS = 1_000_000L;

    /** Ids r1..rN sent 1 s apart from t = 10 s. */
    static Map<String, Long> sends(int n) {
        Map<String, Long> sent = new LinkedHashMap<>();
        for (int i = 1; i <= n; i++) {
            sent.put("r" + i, 10_000 * MS + (i - 1) * 1000 * MS);
        }
        return sent;
    }

    @Test
    void percentilesAreNearestRankOverTheFirstAnswerOfEachSentRequest() {
        Map<String, Long> sent = sends(100);
        List<Receipt> receipts = new ArrayList<>();
        // r_i answered i ms after its send: latencies 1..100 ms
        sent.forEach(
                (id, at) ->
                        receipts.add(
                                new Receipt(id, at + Long.parseLong(id.substring(1)) * MS, false)));
        // a second answer to r1, much later: a duplicate, not a latency
        receipts.add(new Receipt("r1", sent.get("r1") + 9_000 * MS, true));
        // another client's request: not counted
        receipts.add(new Receipt("someone-else", 10_000 * MS, false));

        LatencyReport report = LatencyReport.of(sent, receipts);

        assertThat(report.sent()).isEqualTo(100);
        assertThat(report.answered()).isEqualTo(100);
        assertThat(report.predictions()).isEqualTo(100);
        assertThat(report.deadLetters()).isZero();
        assertThat(report.missing()).isEmpty();
        assertThat(report.duplicates()).isEqualTo(1);
        assertThat(report.foreign()).isEqualTo(1);
        assertThat(report.complete()).isFalse();
        assertThat(report.percentileMs(0.50)).isEqualTo(50.0);
        assertThat(report.percentileMs(0.90)).isEqualTo(90.0);
        assertThat(report.percentileMs(0.99)).isEqualTo(99.0);
        assertThat(report.maxMs()).isEqualTo(100.0);
        assertThat(report.sendSeconds()).isEqualTo(99.0);
        assertThat(report.points().get(0)).isEqualTo(new LatencyReport.Point(0.0, 1.0, false));
    }

    @Test
    void theEarliestReceiptCountsWhateverOrderTheyAreGivenIn() {
        Map<String, Long> sent = sends(1);
        long at = sent.get("r1");
        LatencyReport report =
                LatencyReport.of(
                        sent,
                        List.of(
                                new Receipt("r1", at + 300 * MS, false),
                                new Receipt("r1", at + 120 * MS, true)));
        assertThat(report.maxMs()).isEqualTo(120.0);
        assertThat(report.deadLetters()).isEqualTo(1);
        assertThat(report.predictions()).isZero();
        assertThat(report.duplicates()).isEqualTo(1);
    }

    @Test
    void missingRequestsAreListedAndLeftOutOfThePercentiles() {
        Map<String, Long> sent = sends(4);
        List<Receipt> receipts =
                List.of(
                        new Receipt("r1", sent.get("r1") + 10 * MS, false),
                        new Receipt("r3", sent.get("r3") + 30 * MS, true));
        LatencyReport report = LatencyReport.of(sent, receipts);
        assertThat(report.missing()).containsExactly("r2", "r4");
        assertThat(report.answered()).isEqualTo(2);
        assertThat(report.complete()).isFalse();
        assertThat(report.percentileMs(0.5)).isEqualTo(10.0);
        assertThat(report.percentileMs(0.51)).isEqualTo(30.0);
        assertThat(report.maxMs()).isEqualTo(30.0);
        assertThat(report.toMap())
                .containsEntry("missing", 2)
                .containsEntry("dead_letters", 1)
                .containsEntry("latency_ms_p99", 30.0);
    }

    @Test
    void aRunWithNothingAnsweredHasNoLatencies() {
        LatencyReport report = LatencyReport.of(sends(2), List.of());
        assertThat(report.percentileMs(0.99)).isNaN();
        assertThat(report.maxMs()).isNaN();
        assertThat(report.toMap()).containsEntry("latency_ms_p50", null);
        assertThatThrownBy(() -> report.percentileMs(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("quantile");
    }

    @Test
    void aCompleteRunHasEveryIdOnce() {
        Map<String, Long> sent = sends(3);
        List<Receipt> receipts = new ArrayList<>();
        sent.forEach((id, at) -> receipts.add(new Receipt(id, at + 5 * MS, false)));
        assertThat(LatencyReport.of(sent, receipts).complete()).isTrue();
    }
}
