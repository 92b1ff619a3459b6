package io.inceptionpipeline.models.irv2;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.inceptionpipeline.models.layers.ConvNormAct;
import io.inceptionpipeline.models.testing.Reference;
import io.inceptionpipeline.models.weights.SeededWeights;
import io.inceptionpipeline.models.weights.WeightImporter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Java Inception-ResNet-v2 reproduces timm's {@code inception_resnet_v2} on the same seeded
 * weights and inputs. The weights travel the way users' weights do: written as a {@code
 * .safetensors} file under timm's names, then imported by name.
 */
class InceptionResNetV2ParityTest {

    @TempDir Path dir;

    @Test
    void reproducesTimmLogitsTop5AndEmbedding() throws Exception {
        Reference reference = Reference.load("inception_resnet_v2");
        try (NDManager manager = NDManager.newBaseManager()) {
            InceptionResNetV2 net = InceptionResNetV2.builder().build();
            net.initialize(manager, DataType.FLOAT32, new Shape(1, 3, 299, 299));

            Path weights = dir.resolve("irv2-seeded.safetensors");
            SeededWeights.writeSafetensors(net, Reference.SEED, weights);
            WeightImporter.Report report = WeightImporter.importSafetensors(net, weights);
            assertThat(report.values()).isGreaterThan(reference.parameters());

            NDArray input = manager.create(Reference.inputs(299), new Shape(2, 3, 299, 299));
            assertMatches(reference, net, input, "BatchNorm separate");
            // The inference path folds BatchNorm into the convolutions; it must agree as well.
            ConvNormAct.foldAll(net, true);
            assertMatches(reference, net, input, "BatchNorm folded");
        }
    }

    private static void assertMatches(
            Reference reference, InceptionResNetV2 net, NDArray input, String mode) {
        ParameterStore ps = new ParameterStore(input.getManager(), false);
        NDList out = net.forward(ps, new NDList(input), false);
        for (int image = 0; image < Reference.batchSize(); image++) {
            float[] logits = out.get(0).get(image).toFloatArray();
            float[] embedding = out.get(1).get(image).toFloatArray();
            String what = mode + ", image " + image;
            assertClose(logits, reference.row("logits", image), "logits, " + what);
            assertClose(embedding, reference.row("embedding", image), "embedding, " + what);
            assertThat(cosine(embedding, reference.row("embedding", image)))
                    .as(what)
                    .isGreaterThan(0.9999);
            assertThat(top5(logits)).as(what).containsExactly(reference.top5(image));
        }
    }

    /** Element-wise: |a - b| <= 1e-4 * max|b| + 1e-6, and reports the worst element. */
    static void assertClose(float[] actual, float[] expected, String what) {
        assertThat(actual).hasSameSizeAs(expected);
        double maxAbs = 0;
        for (float v : expected) {
            maxAbs = Math.max(maxAbs, Math.abs(v));
        }
        double worst = 0;
        int worstAt = 0;
        for (int i = 0; i < actual.length; i++) {
            double err = Math.abs(actual[i] - expected[i]);
            if (err > worst) {
                worst = err;
                worstAt = i;
            }
        }
        System.out.printf(
                "%s: max |error| %.3g, relative to max |value| %.3g%n",
                what, worst, worst / maxAbs);
        assertThat(worst)
                .as(
                        "%s: worst error at %d (%f vs %f), scale %f",
                        what, worstAt, actual[worstAt], expected[worstAt], maxAbs)
                .isLessThanOrEqualTo(1e-4 * maxAbs + 1e-6);
    }

    static double cosine(float[] a, float[] b) {
        double dot = 0, na = 0, nb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += (double) a[i] * b[i];
            na += (double) a[i] * a[i];
            nb += (double) b[i] * b[i];
        }
        return dot / Math.sqrt(na * nb);
    }

    static int[] top5(float[] logits) {
        int[] best = new int[5];
        boolean[] taken = new boolean[logits.length];
        for (int k = 0; k < 5; k++) {
            int arg = -1;
            for (int i = 0; i < logits.length; i++) {
                if (!taken[i] && (arg < 0 || logits[i] > logits[arg])) {
                    arg = i;
                }
            }
            taken[arg] = true;
            best[k] = arg;
        }
        return best;
    }
}
