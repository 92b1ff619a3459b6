package io.inceptionpipeline.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import io.inceptionpipeline.models.image.CropMode;
import io.inceptionpipeline.models.image.RgbImage;
import io.inceptionpipeline.models.inference.Scores;
import io.inceptionpipeline.models.inference.ScoringModel;
import io.inceptionpipeline.models.inference.TopK;
import io.inceptionpipeline.models.inference.WeightsSource;
import io.inceptionpipeline.models.spec.ModelRegistry;
import io.inceptionpipeline.models.spec.ModelSpec;
import io.inceptionpipeline.models.train.FashionMnist;
import io.inceptionpipeline.schemas.ClassScore;
import io.inceptionpipeline.schemas.Prediction;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 1,000 Fashion-MNIST test images, written as PNG files and sent as URIs through Kafka and the
 * Flink job, come back with the predictions {@code evaluate}'s code path gives for the same images
 * (the shipped model; Debian's dataset-fashion-mnist, which .ci/run installs).
 */
class FashionMnistPipelineITCase {

    static final int COUNT = 1000;

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
    void theStreamingJobPredictsWhatEvaluateDoes() throws Exception {
        FashionMnist.Split test = FashionMnist.load(FashionMnist.DEBIAN_DIR, false).head(COUNT);
        Path images = Files.createDirectories(work.resolve("images"));
        kafka.createTopics(2, "fm-in", "fm-out", "fm-dead");
        try (RequestPublisher publisher =
                new RequestPublisher(kafka.bootstrapServers(), "fm-in", true, Map.of())) {
            for (int i = 0; i < COUNT; i++) {
                Path file = images.resolve(String.format(Locale.ROOT, "test-%05d.png", i));
                BufferedImage grey = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
                grey.getRaster().setDataElements(0, 0, 28, 28, test.images()[i]);
                ImageIO.write(grey, "png", file.toFile());
                publisher.publish("fm-" + i, file.toUri().toString());
            }
            publisher.flush();
        }

        JobOptions options =
                JobOptions.builder()
                        .bootstrapServers(kafka.bootstrapServers())
                        .topics("fm-in", "fm-out", "fm-dead")
                        .startingOffsets("earliest")
                        .boundedInput(true)
                        .parallelism(2, 2)
                        .allowedRoots(List.of(images.toString()))
                        .model("inception_resnet_fmnist", null)
                        .batching(32, 100)
                        .embeddings(false)
                        .checkpointIntervalMs(2000)
                        .transactionalIdPrefix("fm-" + System.nanoTime())
                        .build();
        JobRun.toEnd(options, "fashion-mnist-it");

        RunSummary summary =
                RunSummary.read(kafka.bootstrapServers(), "fm-out", "fm-dead", Map.of());
        assertThat(summary.failures()).isEmpty();
        assertThat(summary.predictions()).hasSize(COUNT);

        ModelSpec spec = ModelRegistry.get("inception_resnet_fmnist");
        Map<String, Scores> direct = new HashMap<>();
        try (ScoringModel model =
                ScoringModel.load(spec, WeightsSource.orDefault(spec, null, 0), Device.cpu())) {
            for (int from = 0; from < COUNT; from += 250) {
                List<RgbImage> crops = new ArrayList<>();
                for (int i = from; i < from + 250; i++) {
                    crops.add(model.preprocessor().crop(test.rgb(i), CropMode.CENTER));
                }
                List<Scores> scores = model.score(crops, 5, false);
                for (int i = from; i < from + 250; i++) {
                    direct.put("fm-" + i, scores.get(i - from));
                }
            }
        }
        int correct = 0;
        for (Prediction p : summary.predictions()) {
            List<TopK> expected = direct.get(p.getRequestId()).topK();
            List<ClassScore> actual = p.getTopK();
            assertThat(actual.stream().map(ClassScore::getIndex).toList())
                    .as(p.getRequestId())
                    .isEqualTo(expected.stream().map(TopK::index).toList());
            for (int k = 0; k < 5; k++) {
                assertThat(actual.get(k).getScore())
                        .isCloseTo(
                                expected.get(k).score(),
                                org.assertj.core.data.Offset.offset(1e-4f));
            }
            int index = Integer.parseInt(p.getRequestId().substring(3));
            if (actual.get(0).getIndex() == test.labels()[index]) {
                correct++;
            }
        }
        System.out.printf(
                "streamed %d test images: top-1 %.1f%%%n", COUNT, 100.0 * correct / COUNT);
        assertThat(correct).isGreaterThan(900);
    }
}
