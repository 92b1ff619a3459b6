package io.inceptionpipeline.operators.kafka;

import io.inceptionpipeline.operators.records.RawMessage;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Passes Kafka records on as raw bytes with their position. Parsing happens in the next operator,
 * where a bad message becomes a dead letter instead of failing the source.
 */
public class RawMessageDeserializer implements KafkaRecordDeserializationSchema<RawMessage> {

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<RawMessage> out) {
        out.collect(
                new RawMessage(
                        record.topic(),
                        record.partition(),
                        record.offset(),
                        record.timestamp(),
                        record.key(),
                        record.value()));
    }

    @Override
    public TypeInformation<RawMessage> getProducedType() {
        return TypeInformation.of(RawMessage.class);
    }
}
