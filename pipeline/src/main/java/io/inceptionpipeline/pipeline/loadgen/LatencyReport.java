package io.inceptionpipeline.pipeline.loadgen;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a load run measured: requests sent, answered (a prediction or a dead letter), missing,
 * duplicated, and the latency of each answered request from its send to the first receipt of its
 * answer. Built from plain data by {@link #of}, so the matching and the percentiles are tested
 * without Kafka.
 */
public final class LatencyReport {

    /** One record read back: a prediction or a dead letter, keyed by request id. */
    public record Receipt(String requestId, long receivedNanos, boolean deadLetter) {}

    /** One answered request: when it was sent (seconds after the first send) and its latency. */
    public record Point(double sentSeconds, double latencyMs, boolean deadLetter) {}

    private final int sent;
    private final int predictions;
    private final int deadLetters;
    private final List<String> missing;
    private final int duplicates;
    private final int foreign;
    private final List<Point> points;
    private final double[] sortedLatenciesMs;
    private final double sendSeconds;

    private LatencyReport(
            int sent,
            int predictions,
            int deadLetters,
            List<String> missing,
            int duplicates,
            int foreign,
            List<Point> points,
            double sendSeconds) {
        this.sent = sent;
        this.predictions = predictions;
        this.deadLetters = deadLetters;
        this.missing = List.copyOf(missing);
        this.duplicates = duplicates;
        this.foreign = foreign;
        this.points = List.copyOf(points);
        this.sortedLatenciesMs = points.stream().mapToDouble(Point::latencyMs).sorted().toArray();
        this.sendSeconds = sendSeconds;
    }

    /**
     * Matches receipts to sends by request id. A request's latency is from its send to the first
     * receipt of an answer; every further answer for the same id is a duplicate; receipts of ids
     * this run did not send (other clients' requests) are counted as foreign and left out.
     *
     * @param sentNanos request id → {@link System#nanoTime()} at send, in send order
     */
    public static LatencyReport of(Map<String, Long> sentNanos, List<Receipt> receipts) {
        List<Receipt> ordered = new ArrayList<>(receipts);
        ordered.sort(Comparator.comparingLong(Receipt::receivedNanos));
        Map<String, Receipt> first = new HashMap<>();
        int duplicates = 0;
        int foreign = 0;
        for (Receipt r : ordered) {
            if (!sentNanos.containsKey(r.requestId())) {
                foreign++;
            } else if (first.putIfAbsent(r.requestId(), r) != null) {
                duplicates++;
            }
        }
        long start = sentNanos.values().stream().mapToLong(Long::longValue).min().orElse(0);
        long lastSend = sentNanos.values().stream().mapToLong(Long::longValue).max().orElse(0);
        List<Point> points = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        int predictions = 0;
        int deadLetters = 0;
        for (Map.Entry<String, Long> send : sentNanos.entrySet()) {
            Receipt answer = first.get(send.getKey());
            if (answer == null) {
                missing.add(send.getKey());
                continue;
            }
            if (answer.deadLetter()) {
                deadLetters++;
            } else {
                predictions++;
            }
            points.add(
                    new Point(
                            (send.getValue() - start) / 1e9,
                            (answer.receivedNanos() - send.getValue()) / 1e6,
                            answer.deadLetter()));
        }
        return new LatencyReport(
                sentNanos.size(),
                predictions,
                deadLetters,
                missing,
                duplicates,
                foreign,
                points,
                (lastSend - start) / 1e9);
    }

    /**
     * The latency at quantile {@code q} (0 &lt; q ≤ 1) by nearest rank: the smallest latency with
     * at least {@code q} of the answered requests at or below it; NaN when nothing was answered.
     */
    public double percentileMs(double q) {
        if (!(q > 0 && q <= 1)) {
            throw new IllegalArgumentException("quantile must be in (0, 1], got " + q);
        }
        if (sortedLatenciesMs.length == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(q * sortedLatenciesMs.length);
        return sortedLatenciesMs[Math.max(0, rank - 1)];
    }

    public double maxMs() {
        return sortedLatenciesMs.length == 0
                ? Double.NaN
                : sortedLatenciesMs[sortedLatenciesMs.length - 1];
    }

    public int sent() {
        return sent;
    }

    /** Requests with at least one answer. */
    public int answered() {
        return predictions + deadLetters;
    }

    public int predictions() {
        return predictions;
    }

    public int deadLetters() {
        return deadLetters;
    }

    /** Ids sent that got no answer. */
    public List<String> missing() {
        return missing;
    }

    /** Answers beyond the first for an id. */
    public int duplicates() {
        return duplicates;
    }

    /** Answers to requests this run did not send. */
    public int foreign() {
        return foreign;
    }

    /** Every answered request, in send order. */
    public List<Point> points() {
        return points;
    }

    /** Seconds from the first send to the last. */
    public double sendSeconds() {
        return sendSeconds;
    }

    /** Nothing missing, nothing duplicated. */
    public boolean complete() {
        return missing.isEmpty() && duplicates == 0;
    }

    /** The figures as a flat map, in print order (the JSON output). */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("sent", sent);
        m.put("answered", answered());
        m.put("predictions", predictions);
        m.put("dead_letters", deadLetters);
        m.put("missing", missing.size());
        m.put("duplicates", duplicates);
        m.put("foreign", foreign);
        m.put("send_seconds", round(sendSeconds));
        m.put("latency_ms_p50", round(percentileMs(0.50)));
        m.put("latency_ms_p90", round(percentileMs(0.90)));
        m.put("latency_ms_p99", round(percentileMs(0.99)));
        m.put("latency_ms_max", round(maxMs()));
        return m;
    }

    private static Object round(double v) {
        return Double.isNaN(v) ? null : Math.round(v * 10) / 10.0;
    }
}
