package io.inceptionpipeline.operators.kafka;

import io.inceptionpipeline.schemas.AvroCodec;
import io.inceptionpipeline.schemas.Prediction;
import io.inceptionpipeline.schemas.ScoringFailure;
import java.nio.charset.StandardCharsets;
import java.util.function.Function;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Writes predictions and dead letters as Avro single-object-encoded Kafka records keyed by request
 * id (UTF-8), so a compacted topic or an idempotent consumer sees one answer per request.
 */
public final class AvroRecordSerializer<T> implements KafkaRecordSerializationSchema<T> {

    private final String topic;
    private final SerializableFunction<T, byte[]> key;
    private final SerializableFunction<T, byte[]> value;

    interface SerializableFunction<A, B> extends Function<A, B>, java.io.Serializable {}

    private AvroRecordSerializer(
            String topic,
            SerializableFunction<T, byte[]> key,
            SerializableFunction<T, byte[]> value) {
        this.topic = topic;
        this.key = key;
        this.value = value;
    }

    public static AvroRecordSerializer<Prediction> predictions(String topic) {
        return new AvroRecordSerializer<>(topic, p -> utf8(p.getRequestId()), AvroCodec::encode);
    }

    public static AvroRecordSerializer<ScoringFailure> failures(String topic) {
        return new AvroRecordSerializer<>(
                topic, AvroRecordSerializer::failureKey, AvroCodec::encode);
    }

    /** The request id; for a message that could not be read, the key it arrived with. */
    static byte[] failureKey(ScoringFailure failure) {
        if (failure.getRequestId() != null) {
            return utf8(failure.getRequestId());
        }
        java.nio.ByteBuffer original = failure.getOriginalKey();
        if (original == null) {
            return null;
        }
        byte[] bytes = new byte[original.remaining()];
        original.duplicate().get(bytes);
        return bytes;
    }

    private static byte[] utf8(String s) {
        return s == null ? null : s.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(
            T element, KafkaSinkContext context, Long timestamp) {
        byte[] k = key.apply(element);
        // Flink's record timestamp, when there is a real one; else the broker stamps the record.
        Long stamp = timestamp != null && timestamp >= 0 ? timestamp : null;
        return new ProducerRecord<>(topic, null, stamp, k, value.apply(element));
    }
}
