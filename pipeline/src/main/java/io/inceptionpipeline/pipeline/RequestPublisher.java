package io.inceptionpipeline.pipeline;

import io.inceptionpipeline.schemas.AvroCodec;
import io.inceptionpipeline.schemas.ScoringRequest;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** Publishes scoring requests: Avro single-object {@code ScoringRequest}s or plain-text URIs. */
public final class RequestPublisher implements AutoCloseable {

    private final KafkaProducer<byte[], byte[]> producer;
    private final String topic;
    private final boolean avro;
    private final AtomicReference<Exception> failure = new AtomicReference<>();

    public RequestPublisher(
            String bootstrapServers,
            String topic,
            boolean avro,
            Map<String, String> kafkaProperties) {
        Properties props = new Properties();
        props.putAll(kafkaProperties);
        props.put("bootstrap.servers", bootstrapServers);
        props.put("key.serializer", ByteArraySerializer.class.getName());
        props.put("value.serializer", ByteArraySerializer.class.getName());
        props.putIfAbsent("acks", "all");
        props.putIfAbsent("linger.ms", "5");
        this.producer = new KafkaProducer<>(props);
        this.topic = topic;
        this.avro = avro;
    }

    /** Sends one request asynchronously; {@link #flush()} reports any failure. */
    public void publish(String requestId, String uri) {
        byte[] value =
                avro
                        ? AvroCodec.encode(
                                ScoringRequest.newBuilder()
                                        .setRequestId(requestId)
                                        .setUri(uri)
                                        .setEventTime(Instant.now())
                                        .build())
                        : uri.getBytes(StandardCharsets.UTF_8);
        producer.send(
                new ProducerRecord<>(topic, requestId.getBytes(StandardCharsets.UTF_8), value),
                (meta, e) -> {
                    if (e != null) {
                        failure.compareAndSet(null, e);
                    }
                });
    }

    /**
     * Fetches the topic's metadata now (it fails when the topic does not exist), so the first
     * {@link #publish} does not wait for it: a load generator times its sends.
     */
    public int partitions() {
        return producer.partitionsFor(topic).size();
    }

    /** Waits for every send; throws the first failure. */
    public void flush() throws Exception {
        producer.flush();
        Exception e = failure.get();
        if (e != null) {
            throw e;
        }
    }

    @Override
    public void close() {
        producer.close();
    }
}
