package io.inceptionpipeline.it.kafka;

import org.testcontainers.kafka.KafkaContainer;

/**
 * Testcontainers' {@link KafkaContainer} on the official {@code apache/kafka} image, the version of
 * the project's Kafka and of deploy/compose. Asked for without a Docker engine, it fails at once
 * and says so: a test that silently fell back to the embedded broker would claim a run it did not
 * make.
 */
final class ContainerBroker implements KafkaUnderTest {

    /** The image deploy/compose runs. */
    static final String IMAGE = "apache/kafka:4.1.1";

    private final KafkaContainer container;

    private ContainerBroker(KafkaContainer container) {
        this.container = container;
    }

    static ContainerBroker start() {
        KafkaUnderTest.requireDocker();
        KafkaContainer container = new KafkaContainer(IMAGE);
        container.start();
        return new ContainerBroker(container);
    }

    @Override
    public String bootstrapServers() {
        return container.getBootstrapServers();
    }

    @Override
    public void close() {
        container.stop();
    }
}
