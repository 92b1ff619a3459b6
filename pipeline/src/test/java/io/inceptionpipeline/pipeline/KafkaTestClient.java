package io.inceptionpipeline.pipeline;

import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** Produces and reads raw records on a test broker. */
final class KafkaTestClient {

    private KafkaTestClient() {}

    /** Sends every message and waits for each to be acknowledged: a refused message fails. */
    static void produce(String bootstrap, String topic, List<byte[][]> keyValues) {
        produce(bootstrap, topic, keyValues, java.util.Map.of());
    }

    /** As above, with client settings such as security. */
    static void produce(
            String bootstrap,
            String topic,
            List<byte[][]> keyValues,
            java.util.Map<String, String> clientProperties) {
        Properties props = new Properties();
        props.putAll(clientProperties);
        props.put("bootstrap.servers", bootstrap);
        props.put("key.serializer", ByteArraySerializer.class.getName());
        props.put("value.serializer", ByteArraySerializer.class.getName());
        props.put("acks", "all");
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props)) {
            List<java.util.concurrent.Future<?>> sent = new java.util.ArrayList<>();
            for (byte[][] kv : keyValues) {
                sent.add(producer.send(new ProducerRecord<>(topic, kv[0], kv[1])));
            }
            producer.flush();
            for (java.util.concurrent.Future<?> ack : sent) {
                ack.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("Kafka refused a test message", e.getCause());
        }
    }
}
