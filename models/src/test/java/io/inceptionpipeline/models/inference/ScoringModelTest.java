package io.inceptionpipeline.models.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import io.inceptionpipeline.models.image.RgbImage;
import io.inceptionpipeline.models.irv1.InceptionResNetV1;
import io.inceptionpipeline.models.spec.ModelRegistry;
import io.inceptionpipeline.models.spec.ModelSpec;
import io.inceptionpipeline.models.testing.TinyNet;
import io.inceptionpipeline.models.weights.SafetensorsWriter;
import io.inceptionpipeline.models.weights.SeededWeights;
import io.inceptionpipeline.models.weights.WeightImportException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScoringModelTest {

    @TempDir Path dir;

    private final ModelSpec spec = TinyNet.spec();

    private static List<RgbImage> crops(int n, long seed) {
        Random random = new Random(seed);
        List<RgbImage> crops = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            byte[] px = new byte[16 * 16 * 3];
            random.nextBytes(px);
            crops.add(new RgbImage(16, 16, px));
        }
        return crops;
    }

    @Test
    void scoresABatchIntoSortedTopKAndEmbeddings() throws Exception {
        try (ScoringModel model =
                ScoringModel.load(spec, new WeightsSource.Seeded(3), Device.cpu())) {
            List<Scores> scores = model.score(crops(3, 1), 5, true);
            assertThat(scores).hasSize(3);
            for (Scores s : scores) {
                assertThat(s.topK()).hasSize(5);
                for (int i = 1; i < 5; i++) {
                    assertThat(s.topK().get(i).score())
                            .isLessThanOrEqualTo(s.topK().get(i - 1).score());
                }
                assertThat(s.topK().stream().mapToDouble(TopK::score).sum()).isBetween(0.0, 1.0001);
                assertThat(s.topK().get(0).label())
                        .isEqualTo(spec.labels().label(s.topK().get(0).index(), 1000));
                assertThat(s.embedding()).hasSize(8);
            }
            assertThat(model.score(crops(1, 1), 3, false).get(0).embedding()).isNull();
            assertThat(model.randomWeights()).isTrue();
            assertThat(model.weightsDigest()).isEqualTo("seeded:3");
        }
    }

    @Test
    void anImageScoresTheSameAloneAndInABatch() throws Exception {
        try (ScoringModel model =
                ScoringModel.load(spec, new WeightsSource.Seeded(3), Device.cpu())) {
            List<RgbImage> batch = crops(4, 2);
            Scores inBatch = model.score(batch, 10, true).get(2);
            Scores alone = model.score(List.of(batch.get(2)), 10, true).get(0);
            assertThat(alone.topK())
                    .extracting(TopK::index)
                    .containsExactlyElementsOf(inBatch.topK().stream().map(TopK::index).toList());
            for (int i = 0; i < 8; i++) {
                assertThat(alone.embedding()[i])
                        .isCloseTo(
                                inBatch.embedding()[i], org.assertj.core.data.Offset.offset(1e-5f));
            }
        }
    }

    @Test
    void importsSafetensorsAndRoundTripsThroughDjlParams() throws Exception {
        Path safetensors = dir.resolve("tiny.safetensors");
        writeSeeded(safetensors, 1000, 9);
        List<RgbImage> crops = crops(2, 5);
        Scores imported;
        String digest;
        Path params;
        try (ScoringModel model =
                ScoringModel.load(spec, new WeightsSource.File(safetensors), Device.cpu())) {
            assertThat(model.randomWeights()).isFalse();
            digest = model.weightsDigest();
            assertThat(digest).startsWith("sha256:").hasSize(7 + 64);
            imported = model.score(crops, 5, true).get(1);
            params = model.save(dir.resolve("djl"));
        }
        assertThat(params).exists().hasFileName("tiny-0000.params");
        try (ScoringModel model =
                ScoringModel.load(spec, new WeightsSource.File(params), Device.cpu())) {
            assertThat(model.weightsDigest()).isEqualTo(digest);
            Scores reloaded = model.score(crops, 5, true).get(1);
            assertThat(reloaded.topK()).isEqualTo(imported.topK());
            assertThat(reloaded.embedding()).containsExactly(imported.embedding());
        }
        Path renamed = Files.copy(params, dir.resolve("my-tiny-weights.params"));
        try (ScoringModel model =
                ScoringModel.load(spec, new WeightsSource.File(renamed), Device.cpu())) {
            assertThat(model.score(crops, 5, true).get(1).topK()).isEqualTo(imported.topK());
        }
        // The file records its model: loading it as another model is refused.
        ModelSpec other =
                new ModelSpec(
                        "other",
                        spec.title(),
                        spec.inputSize(),
                        spec.cropPct(),
                        spec.interpolation(),
                        spec.normalization(),
                        spec.numClasses(),
                        spec.labels(),
                        spec.embeddingSize(),
                        spec.classifierWeight(),
                        spec.network(),
                        null);
        assertThatThrownBy(
                        () ->
                                ScoringModel.load(
                                        other, new WeightsSource.File(params), Device.cpu()))
                .hasMessageContaining("holds weights of tiny, not other");
        try (ScoringModel seeded =
                ScoringModel.load(spec, new WeightsSource.Seeded(9), Device.cpu())) {
            // the same seeded values written to a file and imported give the same answer
            assertThat(seeded.score(crops, 5, true).get(1).topK()).isEqualTo(imported.topK());
        }
    }

    @Test
    void aTfSlimHeadGetsBackgroundAsRowZero() throws Exception {
        Path safetensors = dir.resolve("tf.safetensors");
        writeSeeded(safetensors, 1001, 4);
        try (ScoringModel model =
                ScoringModel.load(spec, new WeightsSource.File(safetensors), Device.cpu())) {
            assertThat(model.numClasses()).isEqualTo(1001);
            assertThat(spec.labels().label(0, 1001)).isEqualTo("background");
            assertThat(spec.labels().label(1, 1001)).isEqualTo("tench");
            assertThat(spec.labels().label(1, 1000)).isEqualTo("goldfish");
            TopK best = model.score(crops(1, 3), 1, false).get(0).topK().get(0);
            assertThat(best.label()).isEqualTo(spec.labels().label(best.index(), 1001));
        }
    }

    @Test
    void anEmbeddingModelGetsItsClassifierFromTheFileOrHasNone() throws Exception {
        ModelSpec facenet = ModelRegistry.get("inception_resnet_v1");
        List<RgbImage> faces = new ArrayList<>();
        Random random = new Random(5);
        for (int i = 0; i < 2; i++) {
            byte[] px = new byte[160 * 160 * 3];
            random.nextBytes(px);
            faces.add(new RgbImage(160, 160, px));
        }
        try (ScoringModel model =
                ScoringModel.load(facenet, new WeightsSource.Seeded(1), Device.cpu())) {
            assertThat(model.numClasses()).isZero();
            Scores scores = model.score(faces, 5, true).get(0);
            assertThat(scores.topK()).isEmpty();
            double norm = 0;
            for (float v : scores.embedding()) {
                norm += v * v;
            }
            assertThat(scores.embedding()).hasSize(512);
            assertThat(Math.sqrt(norm)).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-5));
        }
        // facenet's VGGFace2 checkpoint carries a classifier over its identities: 7 here
        Path withClassifier = dir.resolve("facenet-7.safetensors");
        try (NDManager manager = NDManager.newBaseManager()) {
            InceptionResNetV1 net = InceptionResNetV1.face(7);
            net.initialize(manager, DataType.FLOAT32, new Shape(1, 3, 160, 160));
            SeededWeights.writeSafetensors(net, 2, withClassifier);
        }
        try (ScoringModel model =
                ScoringModel.load(facenet, new WeightsSource.File(withClassifier), Device.cpu())) {
            assertThat(model.numClasses()).isEqualTo(7);
            Scores scores = model.score(faces, 5, true).get(0);
            assertThat(scores.topK()).hasSize(5);
            assertThat(scores.topK().get(0).label()).startsWith("class ");
            assertThat(scores.embedding()).hasSize(512);
        }
    }

    @Test
    void failsClearlyOnAWrongOrMissingFile() throws Exception {
        Path wrong = dir.resolve("wrong.safetensors");
        new SafetensorsWriter()
                .add("stem.conv.weight", new long[] {8, 3, 5, 5}, new float[600])
                .write(wrong);
        assertThatThrownBy(
                        () -> ScoringModel.load(spec, new WeightsSource.File(wrong), Device.cpu()))
                .isInstanceOf(WeightImportException.class)
                .hasMessageContaining(
                        "mis-shaped: stem.conv.weight (file F32[8, 3, 5, 5], model (8, 3, 3, 3))")
                .hasMessageContaining("missing: stem.bn.weight");
        Path missing = dir.resolve("nope.safetensors");
        assertThatThrownBy(
                        () ->
                                ScoringModel.load(
                                        spec, new WeightsSource.File(missing), Device.cpu()))
                .hasMessageContaining("does not exist");
        Path garbage = Files.writeString(dir.resolve("garbage.safetensors"), "hello");
        assertThatThrownBy(
                        () ->
                                ScoringModel.load(
                                        spec, new WeightsSource.File(garbage), Device.cpu()))
                .hasMessageContaining("Malformed safetensors file");
    }

    private void writeSeeded(Path file, int classes, long seed) throws Exception {
        SafetensorsWriter writer = new SafetensorsWriter();
        add(writer, "stem.conv.weight", Parameter.Type.WEIGHT, seed, 8, 3, 3, 3);
        add(writer, "stem.bn.weight", Parameter.Type.GAMMA, seed, 8);
        add(writer, "stem.bn.bias", Parameter.Type.BETA, seed, 8);
        add(writer, "stem.bn.running_mean", Parameter.Type.RUNNING_MEAN, seed, 8);
        add(writer, "stem.bn.running_var", Parameter.Type.RUNNING_VAR, seed, 8);
        add(writer, "fc.weight", Parameter.Type.WEIGHT, seed, classes, 8);
        add(writer, "fc.bias", Parameter.Type.BIAS, seed, classes);
        writer.write(file);
    }

    private static void add(
            SafetensorsWriter w, String name, Parameter.Type type, long seed, long... shape) {
        w.add(name, shape, SeededWeights.values(name, type, shape, seed));
    }
}
