package io.inceptionpipeline.models.verify;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import io.inceptionpipeline.models.inference.ScoringModel;
import io.inceptionpipeline.models.inference.WeightsSource;
import io.inceptionpipeline.models.spec.ModelRegistry;
import io.inceptionpipeline.models.spec.ModelSpec;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The convolutions that LibTorch 2.7.1 computed wrongly on an AVX-512 CPU (AMD Zen 5: 12, 20, 24
 * and 40 input channels at batch 7), and their neighbours, on every engine as a model load gets it
 * ({@link EngineGuard#verify}, remedy included), against a plain Java convolution. Without the
 * remedy this test fails on such a CPU; on CPUs whose kernels are right it passes either way.
 */
class ConvolutionProbeTest {

    static List<String> engines() {
        return List.copyOf(ScoringModel.ENGINES.values());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("engines")
    void everyProbedConvolutionMatchesTheJavaReference(String engine) throws Exception {
        EngineGuard.Status status = EngineGuard.verify(engine, Device.cpu());
        System.out.printf(
                "%s: remedy %s; %s; CPU %s%n",
                engine,
                status.remedy(),
                EngineGuard.describeEngine(engine),
                CpuFeatures.current().describe());
        try (NDManager manager = Engine.getEngine(engine).newBaseManager(Device.cpu())) {
            List<ConvolutionProbe.Case> cases = ConvolutionProbe.run(manager);
            assertThat(cases)
                    .hasSize(ConvolutionProbe.CHANNELS.length * ConvolutionProbe.BATCHES.length);
            for (ConvolutionProbe.Case c : cases) {
                System.out.println(engine + " " + c);
                assertThat(c.relativeError()).as(engine + " " + c).isLessThanOrEqualTo(1e-4);
            }
        }
    }

    /**
     * The remedy itself computes right on every machine: LibTorch without oneDNN, on the probe and
     * on GoogLeNet (whose 24-channel 3×3 convolutions were among the wrong ones) against its
     * reference's known answers.
     */
    @Test
    void thePyTorchRemedyComputesRight() throws Exception {
        EngineGuard.verify("PyTorch", Device.cpu());
        String applied = EngineGuard.applyRemedy("PyTorch", Device.cpu());
        try {
            assertThat(EngineGuard.describeEngine("PyTorch")).contains("oneDNN convolutions off");
            try (NDManager manager = Engine.getEngine("PyTorch").newBaseManager(Device.cpu())) {
                for (ConvolutionProbe.Case c : ConvolutionProbe.run(manager)) {
                    assertThat(c.passed()).as("oneDNN off: " + c).isTrue();
                }
            }
            ModelSpec googlenet = ModelRegistry.get("googlenet");
            try (ScoringModel model =
                    ScoringModel.load(
                            googlenet,
                            new WeightsSource.Seeded(Canary.SEED),
                            Device.cpu(),
                            "PyTorch")) {
                assertThat(model.knownAnswers()).allMatch(KnownAnswerCheck.Result::passed);
                System.out.println("oneDNN off: " + model.knownAnswers().get(0).describe());
            }
        } finally {
            if (applied != null) {
                EngineGuard.revertRemedy("PyTorch", applied);
            }
        }
    }

    @Test
    void theJavaReferenceIsAConvolution() {
        int ic = 2;
        int oc = 1;
        int hw = ConvolutionProbe.SIZE * ConvolutionProbe.SIZE;
        float[] x = new float[ic * hw];
        for (int i = 0; i < x.length; i++) {
            x[i] = i % 7 - 3;
        }
        // Kernel: centre tap 1 on channel 0, right-hand tap 2 on channel 1.
        float[] w = new float[oc * ic * 9];
        w[4] = 1;
        w[9 + 5] = 2;
        double[] y = ConvolutionProbe.conv3x3(x, w, 1, ic, oc);
        int s = ConvolutionProbe.SIZE;
        for (int r = 0; r < s; r++) {
            for (int c = 0; c < s; c++) {
                double right = c + 1 < s ? x[hw + r * s + c + 1] : 0; // zero padding
                assertThat(y[r * s + c]).isEqualTo(x[r * s + c] + 2 * right);
            }
        }
    }
}
