package io.inceptionpipeline.models.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import io.inceptionpipeline.models.image.CropMode;
import io.inceptionpipeline.models.spec.ModelRegistry;
import io.inceptionpipeline.models.spec.ModelSpec;
import io.inceptionpipeline.models.train.Evaluation;
import io.inceptionpipeline.models.train.FashionMnist;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Ten crops and a weighted two-model ensemble of the shipped Fashion-MNIST model on real test
 * images, on both engines: the same answers, and a multi-crop evaluation that is the mean of what
 * each crop gets alone.
 */
class MultiCropEnsembleTest {

    @Test
    void tenCropsAndEnsemblesGiveTheSameAnswersOnEveryEngine() throws Exception {
        ModelSpec spec = ModelRegistry.get("inception_resnet_fmnist");
        FashionMnist.Split test = FashionMnist.load(FashionMnist.DEBIAN_DIR, false).head(100);
        List<String> classes = FashionMnist.CLASSES;
        List<int[][]> tenByEngine = new ArrayList<>();
        List<int[][]> ensembleByEngine = new ArrayList<>();
        for (String engine : ScoringModel.ENGINES.values()) {
            try (ScoringModel shipped =
                            ScoringModel.load(
                                    spec,
                                    WeightsSource.orDefault(spec, null, 0),
                                    Device.cpu(),
                                    engine);
                    ScoringModel seeded =
                            ScoringModel.load(
                                    spec, new WeightsSource.Seeded(7), Device.cpu(), engine)) {
                Evaluation ten =
                        Evaluation.of(
                                shipped,
                                classes,
                                test.size(),
                                test::rgb,
                                i -> test.labels()[i],
                                64,
                                CropMode.TEN);
                Evaluation ensemble =
                        Evaluation.of(
                                List.of(shipped, seeded),
                                new double[] {3, 1},
                                classes,
                                test.size(),
                                test::rgb,
                                i -> test.labels()[i],
                                64,
                                CropMode.TEN);
                assertThat(ten.top1Accuracy()).as(engine).isGreaterThan(0.85);
                assertThat(ensemble.top1Accuracy()).as(engine).isGreaterThan(0.85);
                tenByEngine.add(ten.confusion());
                ensembleByEngine.add(ensemble.confusion());

                // image 0 by hand: the mean of its ten crops scored one at a time
                List<io.inceptionpipeline.models.image.RgbImage> crops =
                        shipped.preprocessor().crops(test.rgb(0), CropMode.TEN);
                ScoreMean mean = new ScoreMean(10);
                for (var crop : crops) {
                    mean.add(shipped.score(List.of(crop), 10, false).get(0).topK(), 1);
                }
                ScoreMean batched = new ScoreMean(10);
                for (Scores s : shipped.score(crops, 10, false)) {
                    batched.add(s.topK(), 1);
                }
                for (int c = 0; c < 10; c++) {
                    assertThat(batched.mean()[c]).isCloseTo(mean.mean()[c], within(1e-5f));
                }
            }
        }
        for (int e = 1; e < tenByEngine.size(); e++) {
            assertThat(tenByEngine.get(e)).isDeepEqualTo(tenByEngine.get(0));
            assertThat(ensembleByEngine.get(e)).isDeepEqualTo(ensembleByEngine.get(0));
        }
    }

    @Test
    void scoreMeanWeighsUnitsAndAveragesEmbeddings() {
        ScoreMean mean = new ScoreMean(3);
        mean.add(new float[] {0.7f, 0.2f, 0.1f}, 3);
        mean.add(new float[] {0.1f, 0.1f, 0.8f}, 1);
        mean.addEmbedding(new float[] {1, 2});
        mean.addEmbedding(new float[] {3, 6});
        assertThat(mean.units()).isEqualTo(2);
        assertThat(mean.mean()[0]).isCloseTo((2.1f + 0.1f) / 4, within(1e-6f));
        assertThat(mean.topK(2, c -> "c" + c)).extracting(TopK::index).containsExactly(0, 2);
        assertThat(mean.embeddingMean()).containsExactly(2f, 4f);
        assertThatThrownBy(() -> mean.add(new float[] {1f}, 1)).hasMessageContaining("Expected 3");
        assertThatThrownBy(() -> mean.add(new float[] {1f, 0f, 0f}, 0))
                .hasMessageContaining("positive");
        assertThatThrownBy(
                        () ->
                                ScoreMean.toArray(
                                        List.of(new TopK(0, "a", 1f), new TopK(1, "b", 0f)), 3))
                .hasMessageContaining("every class's probability, got 2 of 3");
    }

    @Test
    void ensemblesAreParsedAndCheckedInOnePlace() {
        EnsembleSpec single = EnsembleSpec.parse("inception_resnet_fmnist", null, null);
        assertThat(single.isEnsemble()).isFalse();
        EnsembleSpec three =
                EnsembleSpec.parse(
                        "inception_resnet_fmnist, inception_resnet_fmnist,inception_resnet_fmnist",
                        ",a.safetensors,b.safetensors",
                        "2,1,1");
        assertThat(three.members())
                .extracting(EnsembleSpec.Member::weights)
                .containsExactly(null, "a.safetensors", "b.safetensors");
        assertThat(three.weights()).containsExactly(2, 1, 1);
        assertThatThrownBy(
                        () -> EnsembleSpec.parse("inception_resnet_fmnist,googlenet", null, null))
                .hasMessageContaining("must share their preprocessing");
        assertThatThrownBy(
                        () ->
                                EnsembleSpec.parse(
                                        "inception_resnet_fmnist,inception_resnet_fmnist",
                                        "a.safetensors",
                                        null))
                .hasMessageContaining("--weights names 1 files for 2 models");
        assertThatThrownBy(
                        () ->
                                EnsembleSpec.parse(
                                        "inception_resnet_fmnist,inception_resnet_fmnist",
                                        null,
                                        "1,-1"))
                .hasMessageContaining("positive");
        assertThatThrownBy(() -> EnsembleSpec.parse("inception_resnet_fmnist,", null, null))
                .hasMessageContaining("Empty model name");
    }
}
