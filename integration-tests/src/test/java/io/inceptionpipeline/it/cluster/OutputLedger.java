package io.inceptionpipeline.it.cluster;

import io.inceptionpipeline.schemas.AvroCodec;
import io.inceptionpipeline.schemas.Prediction;
import io.inceptionpipeline.schemas.ScoringFailure;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToLongFunction;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads the predictions and dead-letter topics with {@code read_committed} for as long as a run
 * lasts and counts, per request id, how often each came out, and when output was first seen after a
 * given moment.
 */
final class OutputLedger implements AutoCloseable {

    /** One record seen: its request id, when it was scored/failed, when this reader saw it. */
    record Seen(
            String requestId, boolean prediction, long producedAtMs, long seenAtMs, String code) {}

    private final List<Seen> seen = new ArrayList<>();
    private final Set<String> positions = new HashSet<>();
    private final AtomicLong replays = new AtomicLong();
    private final Map<String, AtomicLong> counts = new ConcurrentHashMap<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread thread;
    private volatile Exception error;

    OutputLedger(String bootstrapServers, String predictionsTopic, String deadLetterTopic) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "ledger-" + System.nanoTime());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        thread =
                new Thread(
                        () -> {
                            try (KafkaConsumer<byte[], byte[]> consumer =
                                    new KafkaConsumer<>(props)) {
                                consumer.subscribe(List.of(predictionsTopic, deadLetterTopic));
                                while (running.get()) {
                                    for (ConsumerRecord<byte[], byte[]> record :
                                            consumer.poll(Duration.ofMillis(200))) {
                                        record(record, record.topic().equals(predictionsTopic));
                                    }
                                }
                            } catch (Exception e) {
                                error = e;
                            }
                        },
                        "output-ledger");
        thread.setDaemon(true);
        thread.start();
    }

    private void record(ConsumerRecord<byte[], byte[]> record, boolean isPrediction)
            throws Exception {
        // The same record again (its topic, partition and offset) is this reader's replay, not a
        // second output: after a broker restart its group can rebalance and resume from the last
        // auto-committed offset, seconds back.
        if (!positions.add(record.topic() + "-" + record.partition() + "@" + record.offset())) {
            replays.incrementAndGet();
            return;
        }
        long now = System.currentTimeMillis();
        Seen entry;
        if (isPrediction) {
            Prediction prediction = AvroCodec.decodePrediction(record.value());
            entry =
                    new Seen(
                            prediction.getRequestId(),
                            true,
                            prediction.getScoredAt().toEpochMilli(),
                            now,
                            null);
        } else {
            ScoringFailure failure = AvroCodec.decodeFailure(record.value());
            entry =
                    new Seen(
                            String.valueOf(failure.getRequestId()),
                            false,
                            failure.getFailedAt().toEpochMilli(),
                            now,
                            failure.getCode().name());
        }
        synchronized (seen) {
            seen.add(entry);
        }
        counts.computeIfAbsent(entry.requestId(), id -> new AtomicLong()).incrementAndGet();
    }

    /** Records read again at a position already read (not counted as outputs). */
    long replays() {
        return replays.get();
    }

    /** Distinct request ids seen so far. */
    int distinct() {
        return counts.size();
    }

    List<Seen> seen() {
        synchronized (seen) {
            return List.copyOf(seen);
        }
    }

    /** How many times each id came out (predictions and dead letters together). */
    Map<String, Long> countsById() {
        Map<String, Long> copy = new HashMap<>();
        counts.forEach((id, n) -> copy.put(id, n.get()));
        return copy;
    }

    /**
     * The longest time between two consecutive records this reader saw of {@code ids}: how long the
     * committed output stood still (with exactly-once, output arrives once per checkpoint).
     */
    long longestStallMs(Set<String> ids) {
        long[] times = sortedTimes(ids, Seen::seenAtMs);
        long longest = 0;
        for (int i = 1; i < times.length; i++) {
            longest = Math.max(longest, times[i] - times[i - 1]);
        }
        return longest;
    }

    /**
     * Requests of {@code ids} scored or failed per second, from the first to the last by their own
     * {@code scored_at}/{@code failed_at} (committed output arrives in bursts, once per checkpoint,
     * so the reader's clock would overstate the rate).
     */
    double ratePerSecond(Set<String> ids) {
        long[] times = sortedTimes(ids, Seen::producedAtMs);
        if (times.length < 2 || times[times.length - 1] == times[0]) {
            return 0;
        }
        return (times.length - 1) * 1000.0 / (times[times.length - 1] - times[0]);
    }

    private long[] sortedTimes(Set<String> ids, ToLongFunction<Seen> time) {
        return seen().stream()
                .filter(s -> ids.contains(s.requestId()))
                .mapToLong(time)
                .sorted()
                .toArray();
    }

    /** Waits until {@code ids} have all been seen or the timeout passes. */
    boolean awaitAll(Set<String> ids, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (error != null) {
                throw new IllegalStateException("ledger consumer failed", error);
            }
            if (counts.keySet().containsAll(ids)) {
                return true;
            }
            Thread.sleep(200);
        }
        return false;
    }

    @Override
    public void close() throws InterruptedException {
        running.set(false);
        thread.join(10_000);
    }
}
