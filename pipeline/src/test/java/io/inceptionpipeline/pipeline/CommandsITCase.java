package io.inceptionpipeline.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.inceptionpipeline.cli.Main;
import io.inceptionpipeline.schemas.Prediction;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code produce} then {@code run --bounded} as a user types them, against a real broker. */
class CommandsITCase {

    @TempDir static Path work;
    static EmbeddedKafka kafka;

    @BeforeAll
    static void startKafka() throws Exception {
        kafka = EmbeddedKafka.start(work.resolve("kafka"));
    }

    @AfterAll
    static void stopKafka() {
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void producedRequestsAreScoredByRun() throws Exception {
        Path samples = work.resolve("samples");
        List<Path> files = SampleImages.extract(samples);
        kafka.createTopics(2, "cli-in", "cli-out", "cli-dead");

        assertThat(
                        Main.run(
                                "produce",
                                "--bootstrap-servers",
                                kafka.bootstrapServers(),
                                "--topic",
                                "cli-in",
                                "--format",
                                "text",
                                samples.toString()))
                .isZero();
        Path manifest =
                Files.writeString(
                        work.resolve("manifest.csv"),
                        "# id,uri\nfrom-manifest,"
                                + files.get(0).toUri()
                                + "\n"
                                + work.resolve("nope.jpg")
                                + "\n");
        assertThat(
                        Main.run(
                                "produce",
                                "--bootstrap-servers",
                                kafka.bootstrapServers(),
                                "--topic",
                                "cli-in",
                                "--manifest",
                                manifest.toString()))
                .isZero();

        int code =
                Main.run(
                        "run",
                        "--bootstrap-servers",
                        kafka.bootstrapServers(),
                        "--bounded",
                        "--input-topic",
                        "cli-in",
                        "--output-topic",
                        "cli-out",
                        "--dead-letter-topic",
                        "cli-dead",
                        "--starting-offsets",
                        "earliest",
                        "--allowed-root",
                        work.toString(),
                        "--batch-size",
                        "4",
                        "--checkpoint-interval-ms",
                        "1000",
                        "--no-embeddings",
                        "--transactional-id-prefix",
                        "cli-" + System.nanoTime());
        assertThat(code).isZero();

        RunSummary summary =
                RunSummary.read(kafka.bootstrapServers(), "cli-out", "cli-dead", Map.of());
        assertThat(summary.predictions()).hasSize(files.size() + 1);
        assertThat(summary.predictions())
                .extracting(Prediction::getRequestId)
                .contains("from-manifest");
        assertThat(summary.predictions()).allSatisfy(p -> assertThat(p.getEmbedding()).isNull());
        assertThat(summary.failures())
                .singleElement()
                .satisfies(f -> assertThat(f.getUri()).endsWith("nope.jpg"));
        try (Stream<Path> s = Files.list(samples)) {
            assertThat(s.count()).isEqualTo(files.size());
        }
    }

    @Test
    void runRefusesBadOptionsBeforeStarting() {
        assertThat(
                        Main.run(
                                "run",
                                "--bootstrap-servers",
                                kafka.bootstrapServers(),
                                "--batch-size",
                                "0"))
                .isEqualTo(2);
        assertThat(
                        Main.run(
                                "run",
                                "--bootstrap-servers",
                                kafka.bootstrapServers(),
                                "--delivery",
                                "maybe"))
                .isEqualTo(2);
        assertThat(
                        Main.run(
                                "run",
                                "--bootstrap-servers",
                                kafka.bootstrapServers(),
                                "--allowed-root",
                                "/no/such/dir"))
                .isEqualTo(2);
    }
}
