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
    private final SerializableFunction<T, String> key;
    private final SerializableFunction<T, byte[]> value;

    interface SerializableFunction<A, B> extends Function<A, B>, java.io.Serializable {}

    private AvroRecordSerializer(
            String topic,
            SerializableFunction<T, String> key,
            SerializableFunction<T, byte[]> value) {
        this.topic = topic;
        this.key = key;
        this.value = value;
    }

    public static AvroRecordSerializer<Prediction> predictions(String topic) {
        return new AvroRecordSerializer<>(topic, Prediction::getRequestId, AvroCodec::encode);
    }

    public static AvroRecordSerializer<ScoringFailure> failures(String topic) {
        return new AvroRecordSerializer<>(topic, ScoringFailure::getRequestId, AvroCodec::encode);
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(
            T element, KafkaSinkContext context, Long timestamp) {
        String k = key.apply(element);
        // Flink's record timestamp, when there is a real one; else the broker stamps the record.
        Long stamp = timestamp != null && timestamp >= 0 ? timestamp : null;
        return new ProducerRecord<>(
                topic,
                null,
                stamp,
                k == null ? null : k.getBytes(StandardCharsets.UTF_8),
                value.apply(element));
    }
}
