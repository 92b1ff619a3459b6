package io.inceptionpipeline.it.kafka;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.testcontainers.DockerClientFactory;

/**
 * The Kafka broker an integration test talks to, one seam with one class per kind, chosen by the
 * system property {@value #PROPERTY}:
 *
 * <ul>
 *   <li>{@code embedded} (the default, and what CI runs): Kafka's own KRaft server in this JVM, the
 *       project's {@code EmbeddedKafka};
 *   <li>{@code testcontainers}: Testcontainers' {@code KafkaContainer} on the official {@code
 *       apache/kafka} image; without a reachable Docker engine the test fails, naming the cause.
 * </ul>
 *
 * <pre>{@code
 * try (KafkaUnderTest kafka = KafkaUnderTest.start(work)) {
 *     kafka.createTopics(2, "in", "out");
 *     ... kafka.bootstrapServers() ...
 * }
 * }</pre>
 */
public interface KafkaUnderTest extends AutoCloseable {

    String PROPERTY = "it.kafka";

    /** {@code host:port} as clients on this machine reach the broker. */
    String bootstrapServers();

    /** Stops the broker and removes what it wrote. */
    @Override
    void close();

    /** Creates {@code topics} with {@code partitions} partitions each, replication 1. */
    default void createTopics(int partitions, String... topics) throws Exception {
        try (Admin admin =
                Admin.create(
                        Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()))) {
            admin.createTopics(
                            Arrays.stream(topics)
                                    .map(t -> new NewTopic(t, partitions, (short) 1))
                                    .toList())
                    .all()
                    .get(60, TimeUnit.SECONDS);
        }
    }

    /** The kinds {@value #PROPERTY} can name. */
    enum Kind {
        EMBEDDED,
        TESTCONTAINERS;

        /** The kind {@code -Dit.kafka} asks for; anything unknown is an error, not the default. */
        public static Kind selected() {
            String value = System.getProperty(PROPERTY, "embedded");
            try {
                return valueOf(value.strip().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(
                        "-D" + PROPERTY + "=" + value + ": expected embedded or testcontainers");
            }
        }
    }

    /**
     * Starts the broker {@code -Dit.kafka} selects; {@code work} holds an embedded broker's log.
     */
    static KafkaUnderTest start(Path work) throws Exception {
        return switch (Kind.selected()) {
            case EMBEDDED -> EmbeddedBroker.start(work.resolve("kafka"));
            case TESTCONTAINERS -> ContainerBroker.start();
        };
    }

    /** Fails, naming the switch and the cause, when no Docker engine answers. */
    static void requireDocker() {
        boolean available;
        String cause = "no Docker engine answered";
        try {
            available = DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException e) {
            available = false;
            cause = e.toString();
        }
        if (!available) {
            throw new IllegalStateException(
                    "-D"
                            + PROPERTY
                            + "=testcontainers needs a Docker engine (DOCKER_HOST, a local socket or"
                            + " ~/.testcontainers.properties): "
                            + cause
                            + ". Without the switch the tests use the in-JVM KRaft broker.");
        }
    }
}
