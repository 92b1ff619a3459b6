package io.inceptionpipeline.models.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import io.inceptionpipeline.models.ClassifierNetwork;
import io.inceptionpipeline.models.inference.ScoringModel;
import io.inceptionpipeline.models.inference.WeightsSource;
import io.inceptionpipeline.models.spec.ModelRegistry;
import io.inceptionpipeline.models.spec.ModelSpec;
import io.inceptionpipeline.models.testing.Reference;
import io.inceptionpipeline.models.weights.SeededWeights;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The known-answer check of every model load: the committed answers exist for every model and are
 * the reference's, the shipped model reproduces them on every engine, a user's weights are checked
 * by the seeded answers and batch consistency, and a deliberately broken engine (one weight
 * corrupted after loading) is refused with a message that says what, where and what to do.
 */
class KnownAnswerCheckTest {

    private static final String FMNIST = "inception_resnet_fmnist";

    @TempDir Path dir;

    static List<String> engines() {
        return List.copyOf(ScoringModel.ENGINES.values());
    }

    @AfterEach
    void noFault() {
        System.clearProperty(ScoringModel.FAULT_INJECTION);
    }

    @Test
    void everyModelHasKnownAnswersForItsShapes() {
        for (String name : ModelRegistry.names()) {
            ModelSpec spec = ModelRegistry.get(name);
            Canary canary = Canary.of(name).orElseThrow(() -> new AssertionError(name));
            assertThat(canary.model()).isEqualTo(name);
            assertThat(canary.inputSize()).as(name).isEqualTo(spec.inputSize());
            Canary.Entry seeded = canary.entry("seeded:" + Canary.SEED).orElseThrow();
            assertThat(seeded.numClasses()).as(name).isEqualTo(spec.numClasses());
            assertThat(seeded.embedding()).hasNumberOfRows(Canary.batchSize());
            for (float[] row : seeded.embedding()) {
                assertThat(row).as(name).hasSize(spec.embeddingSize());
            }
            for (float[] row : seeded.logits()) {
                assertThat(row).as(name).hasSize(spec.numClasses());
            }
            // Two different images, or batch effects could hide.
            assertThat(seeded.embedding()[0]).isNotEqualTo(seeded.embedding()[1]);
        }
    }

    @Test
    void theFamilysAnswersAreTheReferenceOutputs() {
        for (String name : ModelRegistry.names()) {
            if (name.equals(FMNIST)) {
                continue; // no external reference: a reviewed run (CanaryWriter)
            }
            Reference reference = Reference.load(name);
            Canary.Entry seeded = Canary.of(name).orElseThrow().entry("seeded:42").orElseThrow();
            for (int i = 0; i < Canary.batchSize(); i++) {
                assertThat(seeded.embedding()[i]).isEqualTo(reference.row("embedding", i));
                if (reference.numClasses() > 0) {
                    assertThat(seeded.logits()[i]).isEqualTo(reference.row("logits", i));
                }
            }
        }
        assertThat(Reference.inputs(299)).isEqualTo(Canary.inputs(299));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("engines")
    void theShippedModelReproducesItsAnswers(String engine) throws Exception {
        ModelSpec spec = ModelRegistry.get(FMNIST);
        try (ScoringModel model =
                ScoringModel.load(
                        spec, WeightsSource.orDefault(spec, null, 0), Device.cpu(), engine)) {
            assertThat(model.knownAnswers()).hasSize(1);
            KnownAnswerCheck.Result result = model.knownAnswers().get(0);
            System.out.println(engine + ": " + result.describe());
            assertThat(result.kind()).isEqualTo("known answers for " + model.weightsDigest());
            assertThat(result.passed()).isTrue();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("engines")
    void aUsersWeightsAreCheckedBySeededAnswersAndBatchConsistency(String engine) throws Exception {
        ModelSpec spec = ModelRegistry.get(FMNIST);
        Path weights = userWeights(spec);
        try (ScoringModel model =
                ScoringModel.load(spec, new WeightsSource.File(weights), Device.cpu(), engine)) {
            assertThat(model.knownAnswers())
                    .extracting(KnownAnswerCheck.Result::kind)
                    .containsExactly(
                            "known answers for seeded:42",
                            "batch of 2 against one image at a time");
            assertThat(model.knownAnswers()).allMatch(KnownAnswerCheck.Result::passed);
            // The user's weights, not the seeded ones of the check, are what scores.
            KnownAnswerCheck.Outputs served = model.canaryOutputs();
            Canary.Entry seeded = Canary.of(FMNIST).orElseThrow().entry("seeded:42").orElseThrow();
            assertThat(KnownAnswerCheck.compare(served, seeded, true).passed()).isFalse();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("engines")
    void aDeliberatelyBrokenEngineIsRefusedAtLoad(String engine) throws Exception {
        ModelSpec spec = ModelRegistry.get(FMNIST);
        // The engine as its self-test left it: on a CPU where the self-test found a real fault
        // (LibTorch's AVX-512 convolutions on Zen 5) its remedy is on, and must stay on.
        EngineGuard.verify(engine, Device.cpu());
        String engineBefore = EngineGuard.describeEngine(engine);
        System.setProperty(ScoringModel.FAULT_INJECTION, "corrupt-weight");
        for (WeightsSource weights :
                List.of(
                        WeightsSource.orDefault(spec, null, 0),
                        new WeightsSource.File(userWeights(spec)))) {
            assertThatThrownBy(() -> ScoringModel.load(spec, weights, Device.cpu(), engine))
                    .isInstanceOf(KnownAnswerException.class)
                    .hasMessageContaining("Known-answer check failed for model " + FMNIST)
                    .hasMessageContaining("on engine " + engine + ", device cpu()")
                    .hasMessageContaining("worst error")
                    .hasMessageContaining("CPU: " + CpuFeatures.current().model())
                    .hasMessageContaining("extensions [")
                    .hasMessageContaining("Engine: " + engine)
                    .hasMessageContaining("What to do: choose another --engine")
                    .hasMessageContaining("ONEDNN_MAX_CPU_ISA=AVX2")
                    .satisfies(e -> System.out.println(engine + " refused: " + e.getMessage()));
        }
        System.clearProperty(ScoringModel.FAULT_INJECTION);
        // A remedy that did not help is taken back: the engine is as it was before.
        assertThat(EngineGuard.describeEngine(engine)).isEqualTo(engineBefore);
        try (ScoringModel model =
                ScoringModel.load(
                        spec, WeightsSource.orDefault(spec, null, 0), Device.cpu(), engine)) {
            assertThat(model.knownAnswers()).allMatch(KnownAnswerCheck.Result::passed);
        }
    }

    @Test
    void autoTakesTheFastestEngineThatComputesRightHere() throws Exception {
        ModelSpec spec = ModelRegistry.get(FMNIST);
        WeightsSource shipped = WeightsSource.orDefault(spec, null, 0);
        try (ScoringModel model =
                ScoringModel.load(spec, shipped, Device.cpu(), ScoringModel.AUTO)) {
            assertThat(model.engine()).isEqualTo(ScoringModel.AUTO_ORDER.get(0));
        }
        // the first engine computes wrong answers here: auto skips it for the next
        System.setProperty(
                ScoringModel.FAULT_INJECTION, "corrupt-weight:" + ScoringModel.AUTO_ORDER.get(0));
        try (ScoringModel model =
                ScoringModel.load(spec, shipped, Device.cpu(), ScoringModel.AUTO)) {
            assertThat(model.engine()).isEqualTo(ScoringModel.AUTO_ORDER.get(1));
            assertThat(model.knownAnswers()).allMatch(KnownAnswerCheck.Result::passed);
        }
        // every engine wrong: refused, never a silently wrong model
        System.setProperty(ScoringModel.FAULT_INJECTION, "corrupt-weight");
        assertThatThrownBy(() -> ScoringModel.load(spec, shipped, Device.cpu(), ScoringModel.AUTO))
                .isInstanceOf(KnownAnswerException.class)
                .hasMessageContaining("--engine auto found no engine that computes right here")
                .hasMessageContaining(ScoringModel.AUTO_ORDER.toString())
                .hasMessageContaining("What to do");
    }

    @Test
    void batchConsistencyFailsWhenTheBatchDiffersFromSingleImages() {
        float[][] same = {{1, 2, 3}, {4, 5, 6}};
        Canary.Entry entry = new Canary.Entry("x", "test", 3, same, same);
        float[][] off = {{1, 2, 3}, {4, 5.01f, 6}};
        KnownAnswerCheck.Result result =
                KnownAnswerCheck.compare(new KnownAnswerCheck.Outputs(off, same), entry, true);
        assertThat(result.passed()).isFalse();
        assertThat(result.where()).isEqualTo("logits[1][1]");
        assertThat(KnownAnswerCheck.compare(new KnownAnswerCheck.Outputs(same, same), entry, true))
                .matches(KnownAnswerCheck.Result::passed);
        // A NaN is never close.
        float[][] nan = {{1, 2, 3}, {4, Float.NaN, 6}};
        assertThat(
                        KnownAnswerCheck.compare(
                                        new KnownAnswerCheck.Outputs(same, nan), entry, true)
                                .passed())
                .isFalse();
    }

    /** Weights a user might bring: seeded with another seed, written as .safetensors. */
    private Path userWeights(ModelSpec spec) throws Exception {
        Path file = dir.resolve("user-" + System.nanoTime() + ".safetensors");
        try (ai.djl.ndarray.NDManager manager = ai.djl.ndarray.NDManager.newBaseManager()) {
            ClassifierNetwork net = spec.network().apply(spec.numClasses());
            net.setInitializer(ai.djl.training.initializer.Initializer.ZEROS, p -> true);
            net.initialize(
                    manager,
                    ai.djl.ndarray.types.DataType.FLOAT32,
                    new ai.djl.ndarray.types.Shape(spec.inputShape(1)));
            SeededWeights.writeSafetensors(net, 7, file);
        }
        return file;
    }
}
