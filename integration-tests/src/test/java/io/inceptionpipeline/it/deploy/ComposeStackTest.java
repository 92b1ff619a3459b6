package io.inceptionpipeline.it.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.inceptionpipeline.it.kafka.KafkaUnderTest;
import io.inceptionpipeline.pipeline.RunSummary;
import java.io.File;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.ComposeContainer;
import org.testcontainers.containers.wait.strategy.Wait;

/**
 * deploy/compose as a user starts it ({@code docker compose --profile demo up --build}): Kafka, the
 * topics, a Flink session cluster from the project's image, the job submitted by {@code flink run},
 * and the bundled Fashion-MNIST test images published as requests; every request is answered, as a
 * prediction.
 *
 * <p>Needs a Docker engine and {@code mvn package} first (the image copies the jars). Tagged {@code
 * testcontainers}: the default build excludes the tag, {@code -Dit.kafka=testcontainers} runs it
 * (see integration-tests/pom.xml). Run on its own without the switch, it fails rather than passes.
 */
@Tag("testcontainers")
class ComposeStackTest {

    static final Path COMPOSE =
            Path.of(System.getProperty("repo.root", ".."), "deploy", "compose", "compose.yaml");

    /** Requests the demo profile's producer publishes: one per bundled Fashion-MNIST image. */
    static final int REQUESTS = 200;

    @Test
    void theComposeStackAnswersEveryDemoRequest() throws Exception {
        assertThat(KafkaUnderTest.Kind.selected())
                .as("the compose stack runs only with -D%s=testcontainers", KafkaUnderTest.PROPERTY)
                .isEqualTo(KafkaUnderTest.Kind.TESTCONTAINERS);
        KafkaUnderTest.requireDocker();
        assertThat(COMPOSE).exists();
        assertThat(COMPOSE.resolveSibling("../../pipeline/target/inception-pipeline-job.jar"))
                .as("built by mvn package: the image copies it")
                .exists();
        try (ComposeContainer stack =
                new ComposeContainer(new File(COMPOSE.toString()))
                        .withLocalCompose(true)
                        .withBuild(true)
                        .withEnv("COMPOSE_PROFILES", "demo")
                        .waitingFor("kafka", Wait.forHealthcheck())
                        .waitingFor("jobmanager", Wait.forHealthcheck())
                        .withStartupTimeout(Duration.ofMinutes(10))) {
            stack.start();
            RunSummary summary = awaitAnswers("localhost:9092", Duration.ofMinutes(6));
            assertThat(summary.failures()).isEmpty();
            assertThat(summary.predictions()).hasSize(REQUESTS);
        }
    }

    /** Reads the output topics until {@link #REQUESTS} answers are there or time is up. */
    private static RunSummary awaitAnswers(String bootstrap, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        RunSummary summary;
        do {
            Thread.sleep(5_000);
            summary =
                    RunSummary.read(bootstrap, "image-predictions", "image-dead-letters", Map.of());
        } while (summary.predictions().size() + summary.failures().size() < REQUESTS
                && System.nanoTime() < deadline);
        return summary;
    }
}
