package io.inceptionpipeline.models.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import io.inceptionpipeline.models.image.CropMode;
import io.inceptionpipeline.models.image.RgbImage;
import io.inceptionpipeline.models.spec.ModelRegistry;
import io.inceptionpipeline.models.spec.ModelSpec;
import io.inceptionpipeline.models.train.FashionMnist;
import io.inceptionpipeline.models.verify.KnownAnswerCheck;
import io.inceptionpipeline.models.verify.KnownAnswerException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --engine onnxruntime} with {@code --weights FILE.onnx}: a file the export command writes
 * scores as the model it came from, is checked like a user's weights (seeded twin exported on the
 * fly and run on ONNX Runtime, batch consistency of the served session), and refused when it holds
 * another model, when a DJL engine is asked to run it, or when the fault injection breaks the
 * check. What needs the DJL blocks is refused on an ONNX Runtime model with a message.
 */
class OnnxRuntimeBackendTest {

    private static final String FMNIST = "inception_resnet_fmnist";

    @TempDir Path dir;

    @AfterEach
    void noFault() {
        System.clearProperty(ScoringModel.FAULT_INJECTION);
    }

    private Path exported(ModelSpec spec) throws Exception {
        Path file = dir.resolve(spec.name() + ".onnx");
        try (ScoringModel mxnet =
                ScoringModel.load(
                        spec, WeightsSource.orDefault(spec, null, 0), Device.cpu(), "MXNet")) {
            mxnet.exportOnnx(file);
        }
        return file;
    }

    @Test
    void anExportedFileScoresAsTheModelItCameFrom() throws Exception {
        ModelSpec spec = ModelRegistry.get(FMNIST);
        Path file = exported(spec);
        FashionMnist.Split test = FashionMnist.load(FashionMnist.DEBIAN_DIR, false).head(50);
        List<RgbImage> crops = new ArrayList<>();
        for (int i = 0; i < test.size(); i++) {
            crops.add(spec.preprocessor().crop(test.rgb(i), CropMode.CENTER));
        }
        List<Scores> expected;
        try (ScoringModel mxnet =
                ScoringModel.load(
                        spec, WeightsSource.orDefault(spec, null, 0), Device.cpu(), "MXNet")) {
            expected = mxnet.score(crops, 5, true);
        }
        try (ScoringModel ort =
                ScoringModel.load(
                        spec,
                        new WeightsSource.File(file),
                        Device.cpu(),
                        OnnxRuntimeBackend.ENGINE,
                        1)) {
            assertThat(ort.engine()).isEqualTo(OnnxRuntimeBackend.ENGINE);
            assertThat(ort.weightsDigest()).isEqualTo(ScoringModel.sha256(file));
            assertThat(ort.numClasses()).isEqualTo(10);
            assertThat(ort.knownAnswers())
                    .extracting(KnownAnswerCheck.Result::kind)
                    .containsExactly(
                            "known answers for seeded:42",
                            "batch of 2 against one image at a time");
            List<Scores> scores = ort.score(crops, 5, true);
            for (int i = 0; i < crops.size(); i++) {
                assertThat(scores.get(i).topK())
                        .extracting(TopK::index)
                        .as("image %d", i)
                        .isEqualTo(expected.get(i).topK().stream().map(TopK::index).toList());
                assertThat(scores.get(i).topK().get(0).score())
                        .isCloseTo(expected.get(i).topK().get(0).score(), within(1e-4f));
            }
            assertThat(ort.macsPerImage()).isPositive();
            assertThatThrownBy(() -> ort.foldBatchNorm(false))
                    .hasMessageContaining("BatchNorm is folded into the ONNX graph");
            assertThatThrownBy(() -> ort.save(dir))
                    .hasMessageContaining("needs the DJL blocks")
                    .hasMessageContaining("--engine mxnet or pytorch");
        }
    }

    @Test
    void anOnnxFileOfAnotherModelOrOnADjlEngineIsRefused() throws Exception {
        Path file = exported(ModelRegistry.get(FMNIST));
        ModelSpec other = ModelRegistry.get("googlenet");
        assertThatThrownBy(
                        () ->
                                ScoringModel.load(
                                        other,
                                        new WeightsSource.File(file),
                                        Device.cpu(),
                                        OnnxRuntimeBackend.ENGINE))
                .hasMessageContaining("holds the model " + FMNIST + ", not googlenet");
        assertThatThrownBy(
                        () ->
                                ScoringModel.load(
                                        ModelRegistry.get(FMNIST),
                                        new WeightsSource.File(file),
                                        Device.cpu(),
                                        "MXNet"))
                .hasMessageContaining("is an ONNX graph: it runs with --engine onnxruntime");
    }

    @Test
    void theFaultInjectionBreaksTheCheckOfAnOnnxFile() throws Exception {
        ModelSpec spec = ModelRegistry.get(FMNIST);
        Path file = exported(spec);
        System.setProperty(ScoringModel.FAULT_INJECTION, "corrupt-weight");
        assertThatThrownBy(
                        () ->
                                ScoringModel.load(
                                        spec,
                                        new WeightsSource.File(file),
                                        Device.cpu(),
                                        OnnxRuntimeBackend.ENGINE))
                .isInstanceOf(KnownAnswerException.class)
                .hasMessageContaining("Known-answer check failed for model " + FMNIST)
                .hasMessageContaining("on engine OnnxRuntime, device cpu()")
                .hasMessageContaining("known answers for seeded:42");
    }

    @Test
    void threadsZeroMeansOnePerProcessor() {
        assertThat(OnnxRuntimeBackend.intraOpThreads(0))
                .isEqualTo(Runtime.getRuntime().availableProcessors());
        assertThat(OnnxRuntimeBackend.intraOpThreads(3)).isEqualTo(3);
    }
}
