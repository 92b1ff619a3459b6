package io.inceptionpipeline.pipeline;

import io.inceptionpipeline.operators.kafka.AvroRecordSerializer;
import io.inceptionpipeline.operators.kafka.RawMessageDeserializer;
import io.inceptionpipeline.operators.records.RawMessage;
import io.inceptionpipeline.schemas.Prediction;
import io.inceptionpipeline.schemas.ScoringFailure;
import java.util.Properties;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

/** The job's Kafka source and sinks, built from {@link JobOptions}. */
public final class KafkaIo {

    private KafkaIo() {}

    /** User-given client settings (security, timeouts) apply to every client. */
    static Properties clientProperties(JobOptions options) {
        Properties properties = new Properties();
        properties.putAll(options.kafkaProperties());
        return properties;
    }

    @SuppressWarnings("deprecation") // Flink's committedOffsets still takes Kafka's old enum
    public static KafkaSource<RawMessage> source(JobOptions options) {
        OffsetsInitializer offsets =
                switch (options.startingOffsets()) {
                    case "earliest" -> OffsetsInitializer.earliest();
                    case "latest" -> OffsetsInitializer.latest();
                    default -> OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST);
                };
        var builder =
                KafkaSource.<RawMessage>builder()
                        .setBootstrapServers(options.bootstrapServers())
                        .setTopics(options.inputTopic())
                        .setGroupId(options.groupId())
                        .setStartingOffsets(offsets)
                        .setDeserializer(new RawMessageDeserializer())
                        .setProperties(clientProperties(options))
                        .setProperty("isolation.level", "read_committed");
        if (options.boundedInput()) {
            builder.setBounded(OffsetsInitializer.latest());
        }
        return builder.build();
    }

    public static KafkaSink<Prediction> predictionSink(JobOptions options) {
        return sink(
                options, AvroRecordSerializer.predictions(options.outputTopic()), "predictions");
    }

    public static KafkaSink<ScoringFailure> deadLetterSink(JobOptions options) {
        return sink(
                options, AvroRecordSerializer.failures(options.deadLetterTopic()), "dead-letters");
    }

    private static <T> KafkaSink<T> sink(
            JobOptions options, KafkaRecordSerializationSchema<T> schema, String name) {
        Properties producer = clientProperties(options);
        producer.putIfAbsent("max.request.size", Integer.toString(8 << 20));
        var builder =
                KafkaSink.<T>builder()
                        .setBootstrapServers(options.bootstrapServers())
                        .setKafkaProducerConfig(producer)
                        .setRecordSerializer(schema);
        if (options.exactlyOnce()) {
            // Transactions must outlive a checkpoint interval plus a restart; brokers cap them at
            // transaction.max.timeout.ms (15 minutes by default).
            producer.putIfAbsent(
                    "transaction.timeout.ms",
                    Long.toString(Math.max(60_000, 10 * options.checkpointIntervalMs())));
            builder.setKafkaProducerConfig(producer)
                    .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                    .setTransactionalIdPrefix(options.transactionalIdPrefix() + "-" + name);
        } else {
            builder.setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE);
        }
        return builder.build();
    }
}
