package io.inceptionpipeline.models.inference;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import io.inceptionpipeline.models.image.CropMode;
import io.inceptionpipeline.models.image.RgbImage;
import io.inceptionpipeline.models.spec.ModelRegistry;
import io.inceptionpipeline.models.spec.ModelSpec;
import io.inceptionpipeline.models.train.FashionMnist;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The shipped Fashion-MNIST model gives the same answers on every engine (MXNet, PyTorch, ONNX
 * Runtime) for real test images: the same top-5 and embeddings within 1e-4 of the largest value.
 * (The family's networks are held to their references on both engines by ReferenceParityTest.)
 */
class EnginesAgreeTest {

    @Test
    void everyEngineAgreesWithMxnetOnTheShippedModel() throws Exception {
        ModelSpec spec = ModelRegistry.get("inception_resnet_fmnist");
        FashionMnist.Split test = FashionMnist.load(FashionMnist.DEBIAN_DIR, false).head(200);
        List<List<Scores>> byEngine = new ArrayList<>();
        for (String engine : ScoringModel.ENGINES.values()) {
            try (ScoringModel model =
                    ScoringModel.load(
                            spec, WeightsSource.orDefault(spec, null, 0), Device.cpu(), engine)) {
                assertThat(model.engine()).isEqualTo(engine);
                List<RgbImage> crops = new ArrayList<>();
                for (int i = 0; i < test.size(); i++) {
                    crops.add(model.preprocessor().crop(test.rgb(i), CropMode.CENTER));
                }
                byEngine.add(model.score(crops, 5, true));
            }
        }
        List<String> engines = List.copyOf(ScoringModel.ENGINES.values());
        List<Scores> mxnet = byEngine.get(engines.indexOf("MXNet"));
        double worst = 0;
        for (int e = 0; e < engines.size(); e++) {
            List<Scores> other = byEngine.get(e);
            double worstHere = 0;
            for (int i = 0; i < test.size(); i++) {
                assertThat(other.get(i).topK().stream().map(TopK::index).toList())
                        .as("image %d on %s", i, engines.get(e))
                        .isEqualTo(mxnet.get(i).topK().stream().map(TopK::index).toList());
                float[] a = mxnet.get(i).embedding();
                float[] b = other.get(i).embedding();
                double scale = 0;
                double err = 0;
                for (int j = 0; j < a.length; j++) {
                    scale = Math.max(scale, Math.abs(a[j]));
                    err = Math.max(err, Math.abs(a[j] - b[j]));
                }
                worstHere = Math.max(worstHere, err / scale);
            }
            System.out.printf(
                    "MXNet vs %s, 200 images: worst embedding error %.3g%n",
                    engines.get(e), worstHere);
            worst = Math.max(worst, worstHere);
        }
        assertThat(worst).isLessThanOrEqualTo(1e-4);
    }
}
