package io.inceptionpipeline.it.cluster;

import io.inceptionpipeline.schemas.AvroCodec;
import io.inceptionpipeline.schemas.ScoringRequest;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Sends requests at a steady rate from its own thread, riding out a broker restart (idempotent
 * producer, long delivery timeout); counts what the broker acknowledged.
 */
final class PacedProducer implements AutoCloseable {

    private final KafkaProducer<byte[], byte[]> producer;
    private final AtomicInteger sent = new AtomicInteger();
    private final AtomicInteger acknowledged = new AtomicInteger();
    private final ConcurrentLinkedQueue<Exception> failures = new ConcurrentLinkedQueue<>();
    private final Thread thread;

    PacedProducer(
            String bootstrapServers,
            String topic,
            List<ScoringRequest> requests,
            double perSecond) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "300000");
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "300000");
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        producer = new KafkaProducer<>(props);
        long intervalNanos = (long) (1e9 / perSecond);
        thread =
                new Thread(
                        () -> {
                            long next = System.nanoTime();
                            for (ScoringRequest request : requests) {
                                long wait = next - System.nanoTime();
                                if (wait > 0) {
                                    sleepNanos(wait);
                                }
                                next += intervalNanos;
                                producer.send(
                                        new ProducerRecord<>(
                                                topic,
                                                request.getRequestId()
                                                        .getBytes(StandardCharsets.UTF_8),
                                                AvroCodec.encode(request)),
                                        (metadata, e) -> {
                                            if (e == null) {
                                                acknowledged.incrementAndGet();
                                            } else {
                                                failures.add(e);
                                            }
                                        });
                                sent.incrementAndGet();
                            }
                            producer.flush();
                        },
                        "paced-producer");
        thread.start();
    }

    private static void sleepNanos(long nanos) {
        try {
            Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    int sent() {
        return sent.get();
    }

    /** Waits until every request was sent and acknowledged (or failed); returns the acks. */
    int awaitDone() throws InterruptedException {
        thread.join();
        return acknowledged.get();
    }

    List<Exception> failures() {
        return List.copyOf(failures);
    }

    @Override
    public void close() throws InterruptedException {
        thread.join();
        producer.close();
    }
}
