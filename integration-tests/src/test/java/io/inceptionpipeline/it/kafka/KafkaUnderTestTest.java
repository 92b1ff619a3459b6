package io.inceptionpipeline.it.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The broker {@code -Dit.kafka} selects takes topics and carries records; the switch accepts only
 * its two kinds.
 */
class KafkaUnderTestTest {

    @TempDir Path work;

    @Test
    void theSelectedBrokerCarriesRecords() throws Exception {
        try (KafkaUnderTest kafka = KafkaUnderTest.start(work)) {
            kafka.createTopics(2, "round-trip");
            try (KafkaProducer<String, String> producer =
                    new KafkaProducer<>(
                            Map.of("bootstrap.servers", kafka.bootstrapServers()),
                            new StringSerializer(),
                            new StringSerializer())) {
                for (int i = 0; i < 10; i++) {
                    producer.send(new ProducerRecord<>("round-trip", "k" + i, "v" + i)).get();
                }
            }
            List<String> values = new ArrayList<>();
            try (KafkaConsumer<String, String> consumer =
                    new KafkaConsumer<>(
                            Map.of("bootstrap.servers", kafka.bootstrapServers()),
                            new StringDeserializer(),
                            new StringDeserializer())) {
                List<TopicPartition> partitions =
                        List.of(
                                new TopicPartition("round-trip", 0),
                                new TopicPartition("round-trip", 1));
                consumer.assign(partitions);
                consumer.seekToBeginning(partitions);
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (values.size() < 10 && System.nanoTime() < deadline) {
                    for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                        values.add(r.value());
                    }
                }
            }
            assertThat(values)
                    .containsExactlyInAnyOrder(
                            "v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8", "v9");
        }
    }

    @Test
    void theSwitchNamesOnlyItsKinds() {
        String before = System.getProperty(KafkaUnderTest.PROPERTY);
        try {
            System.setProperty(KafkaUnderTest.PROPERTY, "docker");
            assertThatThrownBy(KafkaUnderTest.Kind::selected)
                    .hasMessage("-Dit.kafka=docker: expected embedded or testcontainers");
            System.setProperty(KafkaUnderTest.PROPERTY, "Testcontainers");
            assertThat(KafkaUnderTest.Kind.selected())
                    .isEqualTo(KafkaUnderTest.Kind.TESTCONTAINERS);
        } finally {
            if (before == null) {
                System.clearProperty(KafkaUnderTest.PROPERTY);
            } else {
                System.setProperty(KafkaUnderTest.PROPERTY, before);
            }
        }
    }
}
