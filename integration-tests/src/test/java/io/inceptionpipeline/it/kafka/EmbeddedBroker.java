package io.inceptionpipeline.it.kafka;

import io.inceptionpipeline.pipeline.EmbeddedKafka;
import java.nio.file.Path;

/**
 * Kafka's own KRaft server in this JVM: the project's {@link EmbeddedKafka}, as `local` runs it.
 */
final class EmbeddedBroker implements KafkaUnderTest {

    private final EmbeddedKafka kafka;

    private EmbeddedBroker(EmbeddedKafka kafka) {
        this.kafka = kafka;
    }

    static EmbeddedBroker start(Path logDir) throws Exception {
        return new EmbeddedBroker(EmbeddedKafka.start(logDir));
    }

    @Override
    public String bootstrapServers() {
        return kafka.bootstrapServers();
    }

    @Override
    public void createTopics(int partitions, String... topics) throws Exception {
        kafka.createTopics(partitions, topics);
    }

    @Override
    public void close() {
        kafka.close();
    }
}
