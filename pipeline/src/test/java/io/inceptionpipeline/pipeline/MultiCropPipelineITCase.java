package io.inceptionpipeline.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import io.inceptionpipeline.models.image.CropMode;
import io.inceptionpipeline.models.image.RgbImage;
import io.inceptionpipeline.models.inference.ScoreMean;
import io.inceptionpipeline.models.inference.Scores;
import io.inceptionpipeline.models.inference.ScoringModel;
import io.inceptionpipeline.models.inference.TopK;
import io.inceptionpipeline.models.inference.WeightsSource;
import io.inceptionpipeline.models.spec.ModelRegistry;
import io.inceptionpipeline.models.spec.ModelSpec;
import io.inceptionpipeline.models.train.FashionMnist;
import io.inceptionpipeline.schemas.ClassScore;
import io.inceptionpipeline.schemas.EnsembleMember;
import io.inceptionpipeline.schemas.ErrorCode;
import io.inceptionpipeline.schemas.Prediction;
import io.inceptionpipeline.schemas.ScoringFailure;
import io.inceptionpipeline.schemas.Stage;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * Multi-crop and ensemble requests through Kafka and the Flink job with exactly-once sinks, read
 * back with {@code read_committed}: every good image one prediction (no loss, no duplicate) equal
 * to its crops scored and averaged by plain code, the broken image one dead letter.
 */
class MultiCropPipelineITCase {

    static final int COUNT = 48;
    static final String BROKEN = "broken";

    @TempDir static Path work;
    static EmbeddedKafka kafka;
    static FashionMnist.Split test;
    static Path images;

    @BeforeAll
    static void setUp() throws Exception {
        kafka = EmbeddedKafka.start(work.resolve("kafka"));
        test = FashionMnist.load(FashionMnist.DEBIAN_DIR, false).head(COUNT);
        images = Files.createDirectories(work.resolve("images"));
        for (int i = 0; i < COUNT; i++) {
            BufferedImage grey = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
            grey.getRaster().setDataElements(0, 0, 28, 28, test.images()[i]);
            ImageIO.write(grey, "png", image(i).toFile());
        }
        // a PNG cut off in the middle of its pixels
        byte[] png = Files.readAllBytes(image(0));
        Files.write(images.resolve("broken.png"), java.util.Arrays.copyOf(png, png.length / 2));
    }

    static Path image(int i) {
        return images.resolve(String.format(Locale.ROOT, "test-%03d.png", i));
    }

    @AfterAll
    static void stopKafka() {
        if (kafka != null) {
            kafka.close();
        }
    }

    /** Publishes every image and the broken one to a fresh input topic; runs the job. */
    static RunSummary run(String prefix, String models, String weights, String cropMode)
            throws Exception {
        kafka.createTopics(2, prefix + "-in", prefix + "-out", prefix + "-dead");
        try (RequestPublisher publisher =
                new RequestPublisher(kafka.bootstrapServers(), prefix + "-in", true, Map.of())) {
            for (int i = 0; i < COUNT; i++) {
                publisher.publish("fm-" + i, image(i).toUri().toString());
            }
            publisher.publish(BROKEN, images.resolve("broken.png").toUri().toString());
            publisher.flush();
        }
        JobOptions options =
                JobOptions.builder()
                        .bootstrapServers(kafka.bootstrapServers())
                        .topics(prefix + "-in", prefix + "-out", prefix + "-dead")
                        .startingOffsets("earliest")
                        .boundedInput(true)
                        .parallelism(2, 2)
                        .allowedRoots(List.of(images.toString()))
                        .model(models, weights)
                        .ensembleWeights(models.contains(",") ? "3,1" : null)
                        .cropMode(cropMode)
                        .batching(32, 100)
                        .embeddings(true)
                        .exactlyOnce(true)
                        .checkpointIntervalMs(1000)
                        .transactionalIdPrefix(prefix + "-" + System.nanoTime())
                        .build();
        assertThat(options.aggregates()).isTrue();
        JobRun.toEnd(options, prefix);
        return RunSummary.read(
                kafka.bootstrapServers(), prefix + "-out", prefix + "-dead", Map.of());
    }

    /** The broken image is one dead letter from the decoder; nothing else failed. */
    static void assertOneDeadLetter(RunSummary summary) {
        assertThat(summary.failures()).hasSize(1);
        ScoringFailure dead = summary.failures().get(0);
        assertThat(dead.getRequestId()).isEqualTo(BROKEN);
        assertThat(dead.getStage()).isEqualTo(Stage.DECODE);
        assertThat(dead.getCode()).isEqualTo(ErrorCode.TRUNCATED_IMAGE);
    }

    /** Each member's every-class scores of every crop of image {@code i}. */
    static ScoreMean direct(List<ScoringModel> members, double[] weights, int i, CropMode mode) {
        ScoreMean mean = new ScoreMean(10);
        List<RgbImage> crops = members.get(0).preprocessor().crops(test.rgb(i), mode);
        for (int m = 0; m < members.size(); m++) {
            for (Scores s : members.get(m).score(crops, 10, true)) {
                mean.add(s.topK(), weights[m]);
                mean.addEmbedding(s.embedding());
            }
        }
        return mean;
    }

    static void assertEqualToDirect(Prediction p, ScoreMean expected) {
        List<TopK> top = expected.topK(5, c -> "");
        List<ClassScore> actual = p.getTopK();
        assertThat(actual).hasSize(5);
        assertThat(actual.stream().map(ClassScore::getIndex).toList())
                .as(p.getRequestId())
                .isEqualTo(top.stream().map(TopK::index).toList());
        for (int k = 0; k < 5; k++) {
            assertThat(actual.get(k).getScore()).isCloseTo(top.get(k).score(), within(1e-4f));
        }
        float[] embedding = expected.embeddingMean();
        assertThat(p.getEmbedding()).hasSize(embedding.length);
        for (int j = 0; j < embedding.length; j += 17) {
            assertThat(p.getEmbedding().get(j)).isCloseTo(embedding[j], within(1e-3f));
        }
    }

    @Test
    void tenCropsAreScoredAveragedAndDeliveredExactlyOnce() throws Exception {
        RunSummary summary = run("ten", "inception_resnet_fmnist", null, "ten");
        assertOneDeadLetter(summary);
        assertThat(summary.predictions()).hasSize(COUNT);
        assertThat(summary.predictions().stream().map(Prediction::getRequestId).distinct())
                .hasSize(COUNT);
        ModelSpec spec = ModelRegistry.get("inception_resnet_fmnist");
        int correct = 0;
        int centerCorrect = 0;
        try (ScoringModel model =
                ScoringModel.load(spec, WeightsSource.orDefault(spec, null, 0), Device.cpu())) {
            for (Prediction p : summary.predictions()) {
                int i = Integer.parseInt(p.getRequestId().substring(3));
                assertThat(p.getCropMode()).isEqualTo("ten");
                assertThat(p.getCropCount()).isEqualTo(10);
                assertThat(p.getEnsemble()).isNull();
                assertEqualToDirect(p, direct(List.of(model), new double[] {1}, i, CropMode.TEN));
                if (p.getTopK().get(0).getIndex() == test.labels()[i]) {
                    correct++;
                }
                ScoreMean center = direct(List.of(model), new double[] {1}, i, CropMode.CENTER);
                if (center.topK(1, c -> "").get(0).index() == test.labels()[i]) {
                    centerCorrect++;
                }
            }
        }
        System.out.printf(
                "ten crops through Kafka: %d of %d right (center crop: %d)%n",
                correct, COUNT, centerCorrect);
        assertThat(correct).isGreaterThan(COUNT * 8 / 10);
    }

    @Test
    void anEnsembleAveragesItsMembersWeighted() throws Exception {
        // Second member: the same network with other (seeded) weights, saved as DJL .params.
        ModelSpec spec = ModelRegistry.get("inception_resnet_fmnist");
        Path other;
        try (ScoringModel seeded =
                ScoringModel.load(spec, new WeightsSource.Seeded(7), Device.cpu())) {
            other = seeded.save(Files.createDirectories(work.resolve("seeded")));
        }
        RunSummary summary =
                run(
                        "ens",
                        "inception_resnet_fmnist,inception_resnet_fmnist",
                        "," + other,
                        "center");
        assertOneDeadLetter(summary);
        assertThat(summary.predictions()).hasSize(COUNT);
        assertThat(summary.predictions().stream().map(Prediction::getRequestId).distinct())
                .hasSize(COUNT);
        try (ScoringModel shipped =
                        ScoringModel.load(
                                spec, WeightsSource.orDefault(spec, null, 0), Device.cpu());
                ScoringModel seeded =
                        ScoringModel.load(
                                spec, WeightsSource.orDefault(spec, other, 0), Device.cpu())) {
            Map<String, Prediction> byId = new HashMap<>();
            summary.predictions().forEach(p -> byId.put(p.getRequestId(), p));
            for (Prediction p : byId.values()) {
                int i = Integer.parseInt(p.getRequestId().substring(3));
                assertThat(p.getCropCount()).isEqualTo(1);
                assertThat(p.getEnsemble())
                        .extracting(EnsembleMember::getWeightsDigest, EnsembleMember::getWeight)
                        .containsExactly(
                                org.assertj.core.groups.Tuple.tuple(shipped.weightsDigest(), 3.0),
                                org.assertj.core.groups.Tuple.tuple(seeded.weightsDigest(), 1.0));
                assertEqualToDirect(
                        p,
                        direct(List.of(shipped, seeded), new double[] {3, 1}, i, CropMode.CENTER));
            }
        }
    }
}
