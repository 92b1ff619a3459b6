package io.inceptionpipeline.pipeline;

import io.inceptionpipeline.schemas.AvroCodec;
import io.inceptionpipeline.schemas.Prediction;
import io.inceptionpipeline.schemas.ScoringFailure;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * What a run produced, read back from its output topics with {@code read_committed}: predictions,
 * dead letters by code, throughput and latency.
 */
public final class RunSummary {

    private final List<Prediction> predictions;
    private final List<ScoringFailure> failures;

    private RunSummary(List<Prediction> predictions, List<ScoringFailure> failures) {
        this.predictions = predictions;
        this.failures = failures;
    }

    /** A summary of these predictions and failures (tests; {@link #read} for a run's topics). */
    static RunSummary of(List<Prediction> predictions, List<ScoringFailure> failures) {
        return new RunSummary(new ArrayList<>(predictions), new ArrayList<>(failures));
    }

    /** Reads both topics from the beginning to their current end. */
    public static RunSummary read(
            String bootstrapServers,
            String predictionsTopic,
            String deadLetterTopic,
            Map<String, String> kafkaProperties)
            throws Exception {
        List<Prediction> predictions = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r :
                readAll(bootstrapServers, predictionsTopic, kafkaProperties)) {
            predictions.add(AvroCodec.decodePrediction(r.value()));
        }
        List<ScoringFailure> failures = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r :
                readAll(bootstrapServers, deadLetterTopic, kafkaProperties)) {
            failures.add(AvroCodec.decodeFailure(r.value()));
        }
        return new RunSummary(predictions, failures);
    }

    /** Every committed record of {@code topic}, from the beginning to its end at the call. */
    public static List<ConsumerRecord<byte[], byte[]>> readAll(
            String bootstrap, String topic, Map<String, String> kafkaProperties) {
        Properties props = new Properties();
        props.putAll(kafkaProperties);
        props.put("bootstrap.servers", bootstrap);
        props.put("key.deserializer", ByteArrayDeserializer.class.getName());
        props.put("value.deserializer", ByteArrayDeserializer.class.getName());
        props.put("isolation.level", "read_committed");
        props.put("enable.auto.commit", "false");
        props.put("max.partition.fetch.bytes", Integer.toString(16 << 20));
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
            List<TopicPartition> partitions = new ArrayList<>();
            consumer.partitionsFor(topic)
                    .forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(
                            "Could not read " + topic + " to its end in 60 s");
                }
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
        }
        return records;
    }

    public List<Prediction> predictions() {
        return predictions;
    }

    public List<ScoringFailure> failures() {
        return failures;
    }

    /** Dead letters per error code. */
    public Map<String, Integer> failuresByCode() {
        Map<String, Integer> byCode = new TreeMap<>();
        failures.forEach(f -> byCode.merge(f.getStage() + "/" + f.getCode(), 1, Integer::sum));
        return byCode;
    }

    /**
     * Sustained images per second: predictions after the first batch over the time from the first
     * batch to the last. Model loading and start-up are outside this window.
     */
    public double steadyImagesPerSecond() {
        if (predictions.size() < 2) {
            return Double.NaN;
        }
        List<Prediction> sorted = new ArrayList<>(predictions);
        sorted.sort(Comparator.comparing(Prediction::getScoredAt));
        long first = sorted.get(0).getScoredAt().toEpochMilli();
        long last = sorted.get(sorted.size() - 1).getScoredAt().toEpochMilli();
        int firstBatch =
                (int) sorted.stream().filter(p -> p.getScoredAt().toEpochMilli() == first).count();
        if (last == first) {
            return Double.NaN;
        }
        return (sorted.size() - firstBatch) / ((last - first) / 1000.0);
    }

    /**
     * The sustained window or a part of it: from and to (epoch milliseconds), and the rate in it.
     */
    public record Span(long fromMillis, long toMillis, double imagesPerSecond) {}

    /**
     * The sustained window: from the first batch's end to the last's, at {@link
     * #steadyImagesPerSecond}; empty with fewer than two batches.
     */
    public Optional<Span> sustainedWindow() {
        List<Batch> batches = batches();
        if (batches.size() < 2) {
            return Optional.empty();
        }
        return Optional.of(
                new Span(
                        batches.get(0).endMs(),
                        batches.get(batches.size() - 1).endMs(),
                        steadyImagesPerSecond()));
    }

    /**
     * The later half of the sustained window: from the end of the last batch at or before its
     * middle to the last batch's end, and the predictions after that start over that time. What a
     * long-running job converges to shows here first (the JIT compilers' start-up work, for one,
     * falls mostly in the first half). Empty with fewer than three batch ends.
     */
    public Optional<Span> laterHalf() {
        List<Long> ends =
                predictions.stream()
                        .map(p -> p.getScoredAt().toEpochMilli())
                        .distinct()
                        .sorted()
                        .toList();
        if (ends.size() < 3) {
            return Optional.empty();
        }
        long first = ends.get(0);
        long last = ends.get(ends.size() - 1);
        long middle = first + (last - first) / 2;
        long from = first;
        for (long end : ends) {
            if (end <= middle) {
                from = end;
            }
        }
        if (from == last) {
            return Optional.empty();
        }
        long start = from;
        long images =
                predictions.stream().filter(p -> p.getScoredAt().toEpochMilli() > start).count();
        return Optional.of(new Span(start, last, images / ((last - start) / 1000.0)));
    }

    /**
     * One forward pass, as its predictions tell it: they share its end time, its duration and its
     * size.
     */
    record Batch(long endMs, float forwardPassMs, int size) {
        static Batch of(Prediction p) {
            return new Batch(
                    p.getScoredAt().toEpochMilli(),
                    p.getTimings().getInferenceMs(),
                    p.getBatchSize());
        }
    }

    /** The run's forward passes, by end time. */
    List<Batch> batches() {
        return predictions.stream()
                .map(Batch::of)
                .distinct()
                .sorted(Comparator.comparingLong(Batch::endMs))
                .toList();
    }

    /** Mean milliseconds of one forward pass, over the run's batches. */
    public double meanForwardPassMs() {
        return batches().stream().mapToDouble(Batch::forwardPassMs).average().orElse(Double.NaN);
    }

    /**
     * The share of the sustained window (from the first batch's end to the last's, as {@link
     * #steadyImagesPerSecond}) that {@code subtasks} inference subtasks spent in forward passes:
     * each later batch's forward pass, the part of it inside the window, summed, over the window
     * times {@code subtasks}. Below 1, the rest of the time the subtasks waited for crops or did
     * other work between batches (emitting, checkpoints).
     */
    public double inferenceBusy(int subtasks) {
        if (subtasks < 1) {
            throw new IllegalArgumentException("subtasks must be at least 1, got " + subtasks);
        }
        List<Batch> batches = batches();
        if (batches.size() < 2) {
            return Double.NaN;
        }
        long first = batches.get(0).endMs();
        long last = batches.get(batches.size() - 1).endMs();
        if (last == first) {
            return Double.NaN;
        }
        double busyMs = 0;
        for (Batch b : batches) {
            if (b.endMs() > first) {
                busyMs += Math.min(b.forwardPassMs(), b.endMs() - first);
            }
        }
        return busyMs / ((double) (last - first) * subtasks);
    }

    /** Milliseconds from publication to prediction, per request id published. */
    public List<Long> latenciesMs(Map<String, Long> publishedAtMs) {
        List<Long> latencies = new ArrayList<>();
        for (Prediction p : predictions) {
            Long published = publishedAtMs.get(p.getRequestId());
            if (published != null) {
                latencies.add(p.getScoredAt().toEpochMilli() - published);
            }
        }
        latencies.sort(null);
        return latencies;
    }

    static long percentile(List<Long> sorted, double q) {
        if (sorted.isEmpty()) {
            return -1;
        }
        int index = (int) Math.ceil(q * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
    }

    /** Prints the summary for a run of {@code requested} requests over {@code wallSeconds}. */
    public void print(
            PrintStream out,
            int requested,
            double wallSeconds,
            Map<String, Long> publishedAtMs,
            int examples) {
        if (!predictions.isEmpty()) {
            var model = predictions.get(0).getModel();
            out.printf(
                    Locale.ROOT,
                    "model %s, weights %s%s%n",
                    model.getName(),
                    model.getWeightsDigest(),
                    model.getWeightsDigest().startsWith("seeded:")
                            ? " (RANDOM: labels are meaningless)"
                            : "");
        }
        out.printf(
                Locale.ROOT,
                "requests %d, scored %d, failed %d, unanswered %d%n",
                requested,
                predictions.size(),
                failures.size(),
                requested - predictions.size() - failures.size());
        failuresByCode()
                .forEach((code, n) -> out.printf(Locale.ROOT, "  failed %-40s %d%n", code, n));
        out.printf(
                Locale.ROOT,
                "job wall time %.1f s (model loading included): %.2f images/s%n",
                wallSeconds,
                predictions.size() / wallSeconds);
        double steady = steadyImagesPerSecond();
        out.println(
                Double.isNaN(steady)
                        ? "sustained rate (first to last batch): n/a (a single batch)"
                        : String.format(
                                Locale.ROOT,
                                "sustained rate (first to last batch): %.2f images/s",
                                steady));
        List<Long> latencies = latenciesMs(publishedAtMs);
        out.printf(
                Locale.ROOT,
                "latency from publish to prediction: p50 %d ms, p90 %d ms, p99 %d ms, max %d ms%n",
                percentile(latencies, 0.5),
                percentile(latencies, 0.9),
                percentile(latencies, 0.99),
                percentile(latencies, 1.0));
        Map<String, Double> stage = new HashMap<>();
        for (Prediction p : predictions) {
            stage.merge("fetch", (double) p.getTimings().getFetchMs(), Double::sum);
            stage.merge("decode+crop", (double) p.getTimings().getDecodeMs(), Double::sum);
            stage.merge("queue", (double) p.getTimings().getQueueMs(), Double::sum);
            stage.merge(
                    "inference (per batch)", (double) p.getTimings().getInferenceMs(), Double::sum);
        }
        if (!predictions.isEmpty()) {
            out.printf(
                    Locale.ROOT,
                    "mean per image: fetch %.1f ms, decode+crop %.1f ms, queue %.1f ms, batch inference %.1f ms (mean batch %.1f)%n",
                    stage.get("fetch") / predictions.size(),
                    stage.get("decode+crop") / predictions.size(),
                    stage.get("queue") / predictions.size(),
                    stage.get("inference (per batch)") / predictions.size(),
                    predictions.stream().mapToInt(Prediction::getBatchSize).average().orElse(0));
        }
        predictions.stream()
                .sorted(Comparator.comparing(Prediction::getRequestId))
                .limit(examples)
                .forEach(
                        p -> {
                            if (p.getTopK().isEmpty()) { // an embedding-only model
                                out.printf(
                                        Locale.ROOT,
                                        "  %s %s -> embedding of %d floats%n",
                                        p.getRequestId(),
                                        p.getUri(),
                                        p.getEmbedding() == null ? 0 : p.getEmbedding().size());
                                return;
                            }
                            var best = p.getTopK().get(0);
                            out.printf(
                                    Locale.ROOT,
                                    "  %s %s -> %s (%.3f)%n",
                                    p.getRequestId(),
                                    p.getUri(),
                                    best.getLabel(),
                                    best.getScore());
                        });
    }

    /**
     * Top-1 accuracy on the requests whose true class is known ({@code expected}: request id →
     * class index), when there are any.
     */
    public void printAccuracy(PrintStream out, Map<String, Integer> expected) {
        int labelled = 0;
        int correct = 0;
        for (Prediction p : predictions) {
            Integer truth = expected.get(p.getRequestId());
            if (truth != null && !p.getTopK().isEmpty()) {
                labelled++;
                if (p.getTopK().get(0).getIndex() == truth) {
                    correct++;
                }
            }
        }
        if (labelled > 0) {
            out.printf(
                    Locale.ROOT,
                    "top-1 accuracy on the %d labelled images: %d correct, %.1f%%%n",
                    labelled,
                    correct,
                    100.0 * correct / labelled);
        }
    }
}
