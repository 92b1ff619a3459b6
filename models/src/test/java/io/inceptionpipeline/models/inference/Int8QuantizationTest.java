package io.inceptionpipeline.models.inference;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import io.inceptionpipeline.models.image.CropMode;
import io.inceptionpipeline.models.image.RgbImage;
import io.inceptionpipeline.models.spec.ModelRegistry;
import io.inceptionpipeline.models.spec.ModelSpec;
import io.inceptionpipeline.models.testing.Reference;
import io.inceptionpipeline.models.train.FashionMnist;
import io.inceptionpipeline.models.verify.KnownAnswerCheck;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The gates for int8 on the shipped Fashion-MNIST model, on all 10,000 test images: top-1
 * within 0.3 points of float32 and at least 99% top-1 agreement with float32, calibrated on 512
 * training images (never on test images), with min/max and with percentile calibration. {@code
 * -Dinception.int8.percentiles=99.9,99.999} adds percentiles (the measurement in
 * docs/benchmarks.md).
 */
class Int8QuantizationTest {

    static final String ORT = OnnxRuntimeBackend.ENGINE;

    /** float32's top-1 on the test images, scored once for every calibration method. */
    private static int[] fp32;

    static List<CalibrationMethod> methods() {
        List<CalibrationMethod> methods = new ArrayList<>();
        methods.add(new MinMaxCalibration());
        methods.add(new PercentileCalibration(CalibrationMethod.DEFAULT_PERCENTILE));
        String more = System.getProperty("inception.int8.percentiles", "");
        for (String p : more.split(",")) {
            if (!p.isBlank()) {
                methods.add(new PercentileCalibration(Double.parseDouble(p.trim())));
            }
        }
        return methods;
    }

    @ParameterizedTest
    @MethodSource("methods")
    void shippedModelKeepsItsAccuracyInInt8(CalibrationMethod method) throws Exception {
        ModelSpec spec = ModelRegistry.get("inception_resnet_fmnist");
        FashionMnist.Split train = FashionMnist.load(FashionMnist.DEBIAN_DIR, true).head(512);
        FashionMnist.Split test = FashionMnist.load(FashionMnist.DEBIAN_DIR, false);
        List<RgbImage> calibration = new ArrayList<>();
        for (int i = 0; i < train.size(); i++) {
            calibration.add(train.rgb(i));
        }
        WeightsSource shipped = WeightsSource.orDefault(spec, null, 0);
        if (fp32 == null) {
            try (ScoringModel model = ScoringModel.load(spec, shipped, Device.cpu(), ORT, 2)) {
                assertThat(model.precision()).isEqualTo(Precision.FP32);
                fp32 = top1(model, test);
            }
        }
        int[] int8;
        try (ScoringModel model =
                ScoringModel.loadInt8(
                        spec,
                        shipped,
                        Device.cpu(),
                        ORT,
                        2,
                        new Quantization(calibration, "Fashion-MNIST training images 0-511")
                                .withMethod(method))) {
            assertThat(model.precision()).isEqualTo(Precision.INT8);
            assertThat(model.knownAnswers()).anySatisfy(r -> assertThat(r.kind()).contains("int8"));
            assertThat(model.calibration()).contains(method.describe());
            int8 = top1(model, test);
        }
        int agree = 0;
        int rightFp32 = 0;
        int rightInt8 = 0;
        for (int i = 0; i < test.size(); i++) {
            agree += fp32[i] == int8[i] ? 1 : 0;
            rightFp32 += fp32[i] == test.labels()[i] ? 1 : 0;
            rightInt8 += int8[i] == test.labels()[i] ? 1 : 0;
        }
        double accFp32 = 100.0 * rightFp32 / test.size();
        double accInt8 = 100.0 * rightInt8 / test.size();
        double agreement = 100.0 * agree / test.size();
        System.out.printf(
                "int8 gate (%s): fp32 top-1 %.2f%%, int8 top-1 %.2f%%, agreement %.2f%%%n",
                method.describe(), accFp32, accInt8, agreement);
        assertThat(Math.abs(accFp32 - accInt8)).isLessThanOrEqualTo(0.3);
        assertThat(agreement).isGreaterThanOrEqualTo(99.0);
    }

    /**
     * Inception-ResNet-v2 with the parity tests' seeded weights, quantized after calibration on the
     * project's sample photos and 25 Fashion-MNIST training images, keeps the reference's (timm's)
     * top-1 on the two parity images.
     */
    @Test
    void inceptionResNetV2KeepsTheReferenceTop1OnTheParityImages() throws Exception {
        ModelSpec spec = ModelRegistry.get("inception_resnet_v2");
        List<RgbImage> calibration = new ArrayList<>();
        try (var files = java.nio.file.Files.list(java.nio.file.Path.of("../samples/images"))) {
            for (java.nio.file.Path file : files.sorted().toList()) {
                try (var in = java.nio.file.Files.newInputStream(file)) {
                    calibration.add(io.inceptionpipeline.models.testing.Images.read(in));
                }
            }
        }
        assertThat(calibration).hasSizeGreaterThanOrEqualTo(5);
        FashionMnist.Split train = FashionMnist.load(FashionMnist.DEBIAN_DIR, true).head(9);
        for (int i = 0; i < train.size(); i++) {
            calibration.add(train.rgb(i));
        }
        Reference reference = Reference.load("inception_resnet_v2");
        try (ScoringModel model =
                ScoringModel.loadInt8(
                        spec,
                        new WeightsSource.Seeded(Reference.SEED),
                        Device.cpu(),
                        ORT,
                        2,
                        new Quantization(calibration, "sample photos and Fashion-MNIST"))) {
            assertThat(model.precision()).isEqualTo(Precision.INT8);
            KnownAnswerCheck.Outputs out = model.canaryOutputs();
            for (int image = 0; image < Reference.batchSize(); image++) {
                float[] logits = out.logits()[image];
                int best = 0;
                for (int c = 1; c < logits.length; c++) {
                    best = logits[c] > logits[best] ? c : best;
                }
                System.out.printf(
                        "irv2 int8, parity image %d: top-1 %d (reference %d)%n",
                        image, best, reference.top5(image)[0]);
                assertThat(best).as("parity image %d", image).isEqualTo(reference.top5(image)[0]);
            }
        }
    }

    /** The top-1 class of every test image. */
    static int[] top1(ScoringModel model, FashionMnist.Split split) {
        int[] classes = new int[split.size()];
        int batch = 250;
        for (int from = 0; from < split.size(); from += batch) {
            int to = Math.min(split.size(), from + batch);
            List<RgbImage> crops = new ArrayList<>();
            for (int i = from; i < to; i++) {
                crops.add(model.preprocessor().crop(split.rgb(i), CropMode.CENTER));
            }
            List<Scores> scores = model.score(crops, 1, false);
            for (int i = from; i < to; i++) {
                classes[i] = scores.get(i - from).topK().get(0).index();
            }
        }
        return classes;
    }
}
