package io.inceptionpipeline.pipeline.loadgen;

import static org.assertj.core.api.Assertions.assertThat;

import io.inceptionpipeline.pipeline.EmbeddedKafka;
import io.inceptionpipeline.pipeline.JobOptions;
import io.inceptionpipeline.pipeline.SampleImages;
import io.inceptionpipeline.pipeline.ScoringJob;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The load generator against the real job with its default settings (latency batching,
 * exactly-once, the default checkpoint interval) on a MiniCluster and the embedded KRaft broker,
 * with the shipped Fashion-MNIST model: every request answered once (a broken image as a dead
 * letter), and the latencies are those of this run's requests only.
 */
class LoadgenITCase {

    @TempDir Path work;

    @Test
    void everyRequestIsAnsweredOnceAndTimedFromItsSend() throws Exception {
        Path images = work.resolve("images");
        List<Path> files = SampleImages.extract(SampleImages.FASHION_MNIST, images);
        Path broken = Files.writeString(images.resolve("broken.png"), "not an image");
        List<String> uris = new ArrayList<>();
        uris.add(broken.toUri().toString());
        files.stream()
                .filter(p -> p.toString().endsWith(".png"))
                .limit(9)
                .forEach(p -> uris.add(p.toUri().toString()));
        assertThat(uris).hasSize(10);

        try (EmbeddedKafka kafka = EmbeddedKafka.start(work.resolve("kafka"))) {
            kafka.createTopics(2, "lg-in", "lg-out", "lg-dead");
            JobOptions options =
                    JobOptions.builder()
                            .bootstrapServers(kafka.bootstrapServers())
                            .topics("lg-in", "lg-out", "lg-dead")
                            .startingOffsets("earliest")
                            .allowedRoots(List.of(images.toString()))
                            .model("inception_resnet_fmnist", null)
                            .transactionalIdPrefix("lg-" + System.nanoTime())
                            .build();
            Configuration conf = new Configuration();
            conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
            StreamExecutionEnvironment env =
                    StreamExecutionEnvironment.getExecutionEnvironment(conf);
            ScoringJob.wireKafka(env, options);
            JobClient job = env.executeAsync("loadgen-it");
            try {
                // The job starts and loads its model while these wait: a warm-up, not measured.
                LatencyReport warmUp = load(kafka, "warm", 5, 1).run(uris.subList(1, 3));
                assertThat(warmUp.complete()).as("warm-up missing %s", warmUp.missing()).isTrue();

                LatencyReport report = load(kafka, "measured", 20, 3).run(uris);

                assertThat(report.sent()).isEqualTo(60);
                assertThat(report.missing()).isEmpty();
                assertThat(report.duplicates()).isZero();
                assertThat(report.foreign())
                        .as("the warm-up's answers are not this run's")
                        .isZero();
                assertThat(report.deadLetters()).isEqualTo(6); // every 10th request: broken.png
                assertThat(report.predictions()).isEqualTo(54);
                assertThat(report.points()).hasSize(60);
                assertThat(report.points()).allSatisfy(p -> assertThat(p.latencyMs()).isPositive());
                double p50 = report.percentileMs(0.5);
                assertThat(p50).isLessThanOrEqualTo(report.percentileMs(0.9));
                assertThat(report.percentileMs(0.9)).isLessThanOrEqualTo(report.percentileMs(0.99));
                assertThat(report.percentileMs(0.99)).isLessThanOrEqualTo(report.maxMs());
                assertThat(report.sendSeconds()).isBetween(2.9, 10.0);
                System.out.println("loadgen-it " + report.toMap());

                Path png = work.resolve("latency.png");
                LatencyPlot.write(report, "loadgen-it", png);
                assertThat(Files.readAllBytes(png)).startsWith(0x89, 'P', 'N', 'G');
            } finally {
                job.cancel().get(30, TimeUnit.SECONDS);
            }
        }
    }

    private static LoadGenerator load(
            EmbeddedKafka kafka, String prefix, double rate, int seconds) {
        return new LoadGenerator(
                new LoadGenerator.Settings(
                        kafka.bootstrapServers(),
                        "lg-in",
                        "lg-out",
                        "lg-dead",
                        true,
                        rate,
                        Duration.ofSeconds(seconds),
                        Duration.ofSeconds(120),
                        prefix,
                        Map.of()));
    }
}
