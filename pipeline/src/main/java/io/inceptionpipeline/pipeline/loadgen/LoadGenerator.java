package io.inceptionpipeline.pipeline.loadgen;

import io.inceptionpipeline.pipeline.RequestPublisher;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Publishes requests at a fixed rate and reads the job's predictions and dead letters with {@code
 * read_committed}, matching them by request id (the key of both output topics). Latency is from the
 * producer's send to the consumer's receipt, both on this JVM's {@link System#nanoTime()} clock, so
 * it includes the exactly-once commit: what a consumer of the topics waits.
 *
 * <pre>{@code
 * LatencyReport report = new LoadGenerator(settings).run(List.of("file:///images/a.png"));
 * }</pre>
 */
public final class LoadGenerator {

    /** How a run publishes and where it reads back. */
    public record Settings(
            String bootstrapServers,
            String inputTopic,
            String outputTopic,
            String deadLetterTopic,
            boolean avro,
            double ratePerSecond,
            Duration duration,
            Duration drainTimeout,
            String idPrefix,
            Map<String, String> kafkaProperties) {

        public Settings {
            if (bootstrapServers == null || bootstrapServers.isBlank()) {
                throw new IllegalArgumentException("bootstrap servers are required");
            }
            if (!(ratePerSecond > 0 && ratePerSecond <= 100_000)) {
                throw new IllegalArgumentException(
                        "rate must be in (0, 100000] requests/s, got " + ratePerSecond);
            }
            if (duration.isNegative() || duration.isZero()) {
                throw new IllegalArgumentException("duration must be positive");
            }
            if (drainTimeout.isNegative()) {
                throw new IllegalArgumentException("drain timeout must not be negative");
            }
            if (idPrefix == null || idPrefix.isBlank()) {
                throw new IllegalArgumentException("id prefix must not be empty");
            }
            kafkaProperties = Map.copyOf(kafkaProperties);
        }

        /** Requests the run sends: rate × duration, at least one. */
        public int requests() {
            return (int) Math.max(1, Math.round(ratePerSecond * duration.toNanos() / 1e9));
        }
    }

    private final Settings settings;

    public LoadGenerator(Settings settings) {
        this.settings = settings;
    }

    /** Sends {@link Settings#requests()} requests cycling through {@code uris}, then reports. */
    public LatencyReport run(List<String> uris) throws Exception {
        if (uris.isEmpty()) {
            throw new IllegalArgumentException("no images to send");
        }
        ConcurrentLinkedQueue<LatencyReport.Receipt> receipts = new ConcurrentLinkedQueue<>();
        Map<String, Boolean> answered = new ConcurrentHashMap<>();
        AtomicReference<Throwable> readerFailure = new AtomicReference<>();
        Map<String, Long> sentNanos = new LinkedHashMap<>();
        int total = settings.requests();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerProperties());
                RequestPublisher publisher = publisher()) {
            positionAtEnd(consumer);
            publisher.partitions();
            Thread reader =
                    new Thread(
                            () -> read(consumer, receipts, answered, readerFailure),
                            "loadgen-reader");
            reader.start();
            try {
                long intervalNanos = Math.round(1e9 / settings.ratePerSecond());
                long start = System.nanoTime();
                for (int i = 0; i < total; i++) {
                    long due = start + i * intervalNanos;
                    for (long wait = due - System.nanoTime();
                            wait > 0;
                            wait = due - System.nanoTime()) {
                        LockSupport.parkNanos(wait);
                    }
                    String id = String.format(Locale.ROOT, "%s-%07d", settings.idPrefix(), i);
                    sentNanos.put(id, System.nanoTime());
                    publisher.publish(id, uris.get(i % uris.size()));
                }
                publisher.flush();
                long drainEnd = System.nanoTime() + settings.drainTimeout().toNanos();
                while (System.nanoTime() < drainEnd
                        && readerFailure.get() == null
                        && !sentNanos.keySet().stream().allMatch(answered::containsKey)) {
                    Thread.sleep(20);
                }
                // A short grace period lets a duplicate that trails its first copy show up.
                Thread.sleep(Math.min(500, settings.drainTimeout().toMillis()));
            } finally {
                consumer.wakeup();
                reader.join();
            }
        }
        if (readerFailure.get() != null) {
            throw new IllegalStateException(
                    "Reading the output topics failed: " + readerFailure.get(),
                    readerFailure.get());
        }
        return LatencyReport.of(sentNanos, new ArrayList<>(receipts));
    }

    private RequestPublisher publisher() {
        Map<String, String> props = new LinkedHashMap<>(settings.kafkaProperties());
        props.putIfAbsent("linger.ms", "0"); // each request goes out when it is due
        return new RequestPublisher(
                settings.bootstrapServers(), settings.inputTopic(), settings.avro(), props);
    }

    private Properties consumerProperties() {
        Properties props = new Properties();
        props.putAll(settings.kafkaProperties());
        props.put("bootstrap.servers", settings.bootstrapServers());
        props.put("key.deserializer", ByteArrayDeserializer.class.getName());
        props.put("value.deserializer", ByteArrayDeserializer.class.getName());
        props.put("isolation.level", "read_committed");
        props.put("enable.auto.commit", "false");
        props.putIfAbsent("fetch.max.wait.ms", "100");
        return props;
    }

    /** Assigns every partition of both output topics and starts after what they hold now. */
    private void positionAtEnd(KafkaConsumer<byte[], byte[]> consumer) {
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : List.of(settings.outputTopic(), settings.deadLetterTopic())) {
            var infos = consumer.partitionsFor(topic, Duration.ofSeconds(30));
            if (infos == null || infos.isEmpty()) {
                throw new IllegalArgumentException("Topic " + topic + " does not exist");
            }
            infos.forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
        }
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        partitions.forEach(consumer::position); // resolve the end offsets before the first send
    }

    private void read(
            KafkaConsumer<byte[], byte[]> consumer,
            ConcurrentLinkedQueue<LatencyReport.Receipt> receipts,
            Map<String, Boolean> answered,
            AtomicReference<Throwable> failure) {
        try {
            while (true) {
                var records = consumer.poll(Duration.ofMillis(100));
                long now = System.nanoTime();
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    if (r.key() == null) {
                        continue; // a dead letter of an unreadable message without a key
                    }
                    String id = new String(r.key(), StandardCharsets.UTF_8);
                    receipts.add(
                            new LatencyReport.Receipt(
                                    id, now, r.topic().equals(settings.deadLetterTopic())));
                    answered.put(id, Boolean.TRUE);
                }
            }
        } catch (WakeupException e) {
            // the run is over
        } catch (Throwable t) {
            failure.set(t);
        }
    }
}
