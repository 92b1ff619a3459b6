package io.inceptionpipeline.models;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import io.inceptionpipeline.models.inference.OnnxRuntimeBackend;
import io.inceptionpipeline.models.inference.ScoringModel;
import io.inceptionpipeline.models.inference.WeightsSource;
import io.inceptionpipeline.models.layers.ConvNormAct;
import io.inceptionpipeline.models.spec.ModelRegistry;
import io.inceptionpipeline.models.spec.ModelSpec;
import io.inceptionpipeline.models.testing.Reference;
import io.inceptionpipeline.models.verify.Canary;
import io.inceptionpipeline.models.verify.EngineGuard;
import io.inceptionpipeline.models.verify.KnownAnswerCheck;
import io.inceptionpipeline.models.weights.SeededWeights;
import io.inceptionpipeline.models.weights.StateDict;
import io.inceptionpipeline.models.weights.WeightImporter;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every network of the family reproduces its reference implementation (timm or torchvision, run by
 * {@code models/src/test/python/generate_reference.py} under Debian's python3-torch) on the same
 * seeded weights and inputs: the exact parameter count, the multiply-accumulates, logits, top-5 and
 * embedding. The weights travel the way users' weights do: written as a {@code .safetensors} file
 * under the reference's names, then imported by name.
 */
class ReferenceParityTest {

    @TempDir Path dir;

    static final List<String> FAMILY =
            List.of(
                    "inception_resnet_v2",
                    "inception_v3",
                    "inception_v4",
                    "googlenet",
                    "bninception",
                    "inception_resnet_v1",
                    "inception_resnet_v1_imagenet",
                    "legacy_xception");

    /**
     * Every network on every engine that runs the blocks: each must reproduce the reference on its
     * own. ONNX Runtime runs the graph exported from the blocks: {@link #onOnnxRuntime}.
     */
    static Stream<Arguments> cases() {
        return ScoringModel.ENGINES.values().stream()
                .filter(engine -> !engine.equals(OnnxRuntimeBackend.ENGINE))
                .flatMap(engine -> FAMILY.stream().map(name -> Arguments.of(name, engine)));
    }

    static List<String> registry() {
        return ModelRegistry.names();
    }

    /**
     * Every network of the registry on ONNX Runtime as a user gets it ({@code --engine
     * onnxruntime}: seeded weights filled into the blocks, BatchNorm folded, exported, run by DJL's
     * OnnxRuntime engine), against the reference's logits, top-5 and embedding; the Fashion-MNIST
     * model, which has no external reference, against its committed seeded answers.
     */
    @ParameterizedTest(name = "{0} on OnnxRuntime")
    @MethodSource("registry")
    void onOnnxRuntime(String name) throws Exception {
        ModelSpec spec = ModelRegistry.get(name);
        try (ScoringModel model =
                ScoringModel.load(
                        spec,
                        new WeightsSource.Seeded(Reference.SEED),
                        Device.cpu(),
                        OnnxRuntimeBackend.ENGINE)) {
            assertThat(model.engine()).isEqualTo(OnnxRuntimeBackend.ENGINE);
            KnownAnswerCheck.Outputs out = model.canaryOutputs();
            String what = name + " on OnnxRuntime";
            if (!FAMILY.contains(name)) {
                Canary.Entry answers =
                        Canary.of(name).orElseThrow().entry("seeded:" + Canary.SEED).orElseThrow();
                for (int image = 0; image < Canary.batchSize(); image++) {
                    assertClose(
                            out.embedding()[image],
                            answers.embedding()[image],
                            "embedding, " + what + ", image " + image);
                    assertClose(
                            out.logits()[image],
                            answers.logits()[image],
                            "logits, " + what + ", image " + image);
                }
                return;
            }
            Reference reference = Reference.load(name);
            assertThat(Reference.inputs(spec.inputSize()))
                    .isEqualTo(Canary.inputs(spec.inputSize()));
            for (int image = 0; image < Reference.batchSize(); image++) {
                String row = what + ", image " + image;
                float[] embedding = out.embedding()[image];
                assertClose(embedding, reference.row("embedding", image), "embedding, " + row);
                assertThat(cosine(embedding, reference.row("embedding", image)))
                        .as(row)
                        .isGreaterThan(0.9999);
                if (reference.numClasses() > 0) {
                    float[] logits = out.logits()[image];
                    assertClose(logits, reference.row("logits", image), "logits, " + row);
                    assertThat(top5(logits)).as(row).containsExactly(reference.top5(image));
                } else {
                    assertThat(out.logits()[image]).as("an embedding-only head").isEmpty();
                }
            }
        }
    }

    @ParameterizedTest(name = "{0} on {1}")
    @MethodSource("cases")
    void reproducesTheReference(String name, String engine) throws Exception {
        Reference reference = Reference.load(name);
        ModelSpec spec = ModelRegistry.get(name);
        int size = reference.inputSize();
        // The engine as every model load gets it: self-tested, with its remedy where one is needed.
        EngineGuard.verify(engine, Device.cpu());
        try (NDManager manager = NDManager.newBaseManager(Device.cpu(), engine)) {
            assertThat(manager.getEngine().getEngineName()).isEqualTo(engine);
            ClassifierNetwork net = spec.network().apply(reference.numClasses());
            net.setInitializer(Initializer.ZEROS, p -> true);
            net.initialize(manager, DataType.FLOAT32, new Shape(1, 3, size, size));
            assertThat(StateDict.countParameters(net))
                    .as("parameters")
                    .isEqualTo(reference.parameters());
            assertThat(net.macs(new Shape(1, 3, size, size)))
                    .as("MACs")
                    .isEqualTo(reference.macsPerImage());

            Path weights = dir.resolve(name + "-seeded.safetensors");
            SeededWeights.writeSafetensors(net, Reference.SEED, weights);
            WeightImporter.importSafetensors(net, weights);

            NDArray input = manager.create(Reference.inputs(size), new Shape(2, 3, size, size));
            assertMatches(reference, net, input, name + " on " + engine + ", BatchNorm separate");
            // The inference path folds BatchNorm into the convolutions; it must agree as well.
            ConvNormAct.foldAll(net, true);
            assertMatches(reference, net, input, name + " on " + engine + ", BatchNorm folded");
        }
    }

    private static void assertMatches(
            Reference reference, ClassifierNetwork net, NDArray input, String mode) {
        ParameterStore ps = new ParameterStore(input.getManager(), false);
        NDList out = net.forward(ps, new NDList(input), false);
        for (int image = 0; image < Reference.batchSize(); image++) {
            float[] embedding = out.get(1).get(image).toFloatArray();
            String what = mode + ", image " + image;
            assertClose(embedding, reference.row("embedding", image), "embedding, " + what);
            assertThat(cosine(embedding, reference.row("embedding", image)))
                    .as(what)
                    .isGreaterThan(0.9999);
            if (reference.numClasses() > 0) {
                float[] logits = out.get(0).get(image).toFloatArray();
                assertClose(logits, reference.row("logits", image), "logits, " + what);
                assertThat(top5(logits)).as(what).containsExactly(reference.top5(image));
            } else {
                assertThat(out.get(0).getShape().get(1)).as("an embedding-only head").isZero();
            }
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
