package io.inceptionpipeline.models.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.onnx.proto.OnnxMl;
import io.inceptionpipeline.models.image.RgbImage;
import io.inceptionpipeline.models.onnx.Fp16Converter;
import io.inceptionpipeline.models.spec.ModelRegistry;
import io.inceptionpipeline.models.spec.ModelSpec;
import io.inceptionpipeline.models.train.FashionMnist;
import io.inceptionpipeline.models.verify.KnownAnswerCheck;
import io.inceptionpipeline.models.verify.KnownAnswerException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --precision fp16} on the shipped Fashion-MNIST model, run by ONNX Runtime's CPU provider
 * (which casts around its float32 kernels: this checks the converted graph's numerics, not GPU
 * speed): it agrees with float32, its file holds float16 weights, and a corrupted file is refused.
 */
class Fp16Test {

    static final String ORT = OnnxRuntimeBackend.ENGINE;

    /** Test images compared, of the 10,000 (docs/benchmarks.md has all of them). */
    static final int TEST_IMAGES = 500;

    /**
     * Largest logit error of float16 allowed on a test image, relative to the image's largest
     * float32 logit: float16's rounding (2^-11 relative) through the network's convolutions.
     */
    static final double LOGIT_TOLERANCE = 1e-2;

    @TempDir static Path dir;

    static ModelSpec spec;
    static Path fp32File;
    static Path fp16File;

    @BeforeAll
    static void export() throws Exception {
        spec = ModelRegistry.get("inception_resnet_fmnist");
        WeightsSource shipped = WeightsSource.orDefault(spec, null, 0);
        fp32File = dir.resolve("fmnist.onnx");
        fp16File = dir.resolve("fmnist-fp16.onnx");
        // the float32 file (for its size) from the blocks, which the MXNet engine holds
        try (ScoringModel fp32 = ScoringModel.load(spec, shipped, Device.cpu(), "MXNet", 2)) {
            fp32.exportOnnx(fp32File);
        }
        try (ScoringModel fp16 =
                ScoringModel.loadFp16(spec, shipped, Device.cpu(), ORT, 2, calibration(256))) {
            assertThat(fp16.precision()).isEqualTo(Precision.FP16);
            assertThat(fp16.knownAnswers())
                    .anySatisfy(r -> assertThat(r.kind()).contains("fp16 top-1 agreement"))
                    .anySatisfy(r -> assertThat(r.kind()).contains("fp16 canary outputs"));
            fp16.exportOnnx(fp16File);
        }
    }

    static Quantization calibration(int count) throws Exception {
        FashionMnist.Split train = FashionMnist.load(FashionMnist.DEBIAN_DIR, true).head(count);
        List<RgbImage> images = new ArrayList<>();
        for (int i = 0; i < train.size(); i++) {
            images.add(train.rgb(i));
        }
        return new Quantization(images, "Fashion-MNIST training images")
                .forPrecision(Precision.FP16);
    }

    @Test
    void theShippedModelInFp16AgreesWithFp32OnFashionMnistTestImages() throws Exception {
        FashionMnist.Split test =
                FashionMnist.load(FashionMnist.DEBIAN_DIR, false).head(TEST_IMAGES);
        List<RgbImage> images = new ArrayList<>();
        for (int i = 0; i < test.size(); i++) {
            images.add(test.rgb(i));
        }
        WeightsSource shipped = WeightsSource.orDefault(spec, null, 0);
        KnownAnswerCheck.Outputs a;
        KnownAnswerCheck.Outputs b;
        try (ScoringModel fp32 = ScoringModel.load(spec, shipped, Device.cpu(), ORT, 2)) {
            a = fp32.outputs(fp32.normalizedCrops(images), images.size());
        }
        try (ScoringModel fp16 =
                ScoringModel.load(spec, new WeightsSource.File(fp16File), Device.cpu(), ORT, 2)) {
            assertThat(fp16.precision()).isEqualTo(Precision.FP16);
            b = fp16.outputs(fp16.normalizedCrops(images), images.size());
        }
        int agree = 0;
        int right32 = 0;
        int right16 = 0;
        double worst = 0;
        for (int i = 0; i < images.size(); i++) {
            int top32 = argmax(a.logits()[i]);
            int top16 = argmax(b.logits()[i]);
            agree += top32 == top16 ? 1 : 0;
            right32 += top32 == test.labels()[i] ? 1 : 0;
            right16 += top16 == test.labels()[i] ? 1 : 0;
            double scale = 0;
            double error = 0;
            for (int c = 0; c < a.logits()[i].length; c++) {
                scale = Math.max(scale, Math.abs(a.logits()[i][c]));
                error = Math.max(error, Math.abs(a.logits()[i][c] - b.logits()[i][c]));
            }
            worst = Math.max(worst, error / scale);
        }
        System.out.printf(
                "fp16 on %d test images: fp32 top-1 %d, fp16 top-1 %d, agreement %.2f%%, worst"
                        + " logit error %.3g of the image's largest logit%n",
                images.size(), right32, right16, 100.0 * agree / images.size(), worst);
        assertThat(100.0 * agree / images.size()).isGreaterThanOrEqualTo(99.0);
        assertThat(worst).isLessThanOrEqualTo(LOGIT_TOLERANCE);
    }

    /** The exported file: float16 initializers (read from the protobuf), float32 input/outputs. */
    @Test
    void theFp16FileHoldsFloat16WeightsBehindFloat32InputAndOutputs() throws Exception {
        OnnxMl.ModelProto model = OnnxMl.ModelProto.parseFrom(Files.readAllBytes(fp16File));
        int float16 = OnnxMl.TensorProto.DataType.FLOAT16.getNumber();
        int float32 = OnnxMl.TensorProto.DataType.FLOAT.getNumber();
        assertThat(model.getGraph().getInitializerList())
                .isNotEmpty()
                .allSatisfy(t -> assertThat(t.getDataType()).as(t.getName()).isEqualTo(float16));
        assertThat(model.getGraph().getInputList())
                .allSatisfy(
                        v ->
                                assertThat(v.getType().getTensorType().getElemType())
                                        .isEqualTo(float32));
        assertThat(model.getGraph().getOutputList())
                .extracting(OnnxMl.ValueInfoProto::getName)
                .containsExactly("logits", "embedding");
        assertThat(model.getGraph().getOutputList())
                .allSatisfy(
                        v ->
                                assertThat(v.getType().getTensorType().getElemType())
                                        .isEqualTo(float32));
        assertThat(model.getMetadataPropsList())
                .anySatisfy(
                        p -> {
                            assertThat(p.getKey()).isEqualTo("precision");
                            assertThat(p.getValue()).isEqualTo("fp16");
                        });
        // BatchNorm stays folded into the convolutions, as in the float32 graph
        assertThat(model.getGraph().getNodeList())
                .noneSatisfy(n -> assertThat(n.getOpType()).isEqualTo("BatchNormalization"));
        assertThat(Files.size(fp16File)).isLessThan(Files.size(fp32File) * 6 / 10);
    }

    /** One bit flipped in the exponent of one weight: the file no longer loads. */
    @Test
    void aCorruptedFp16FileIsRefusedAtLoad() throws Exception {
        OnnxMl.ModelProto model = OnnxMl.ModelProto.parseFrom(Files.readAllBytes(fp16File));
        OnnxMl.GraphProto.Builder graph = model.getGraph().toBuilder();
        OnnxMl.TensorProto.Builder weight = graph.getInitializerBuilder(0);
        byte[] raw = weight.getRawData().toByteArray();
        ByteBuffer values = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
        values.putShort(0, (short) (values.getShort(0) ^ 0x4000));
        weight.setRawData(com.google.protobuf.ByteString.copyFrom(raw));
        Path corrupted = dir.resolve("corrupted-fp16.onnx");
        Files.write(corrupted, model.toBuilder().setGraph(graph).build().toByteArray());

        assertThatThrownBy(
                        () ->
                                ScoringModel.load(
                                        spec,
                                        new WeightsSource.File(corrupted),
                                        Device.cpu(),
                                        ORT,
                                        2))
                .isInstanceOf(KnownAnswerException.class)
                .hasMessageContaining("does not compute what it did at export")
                .hasMessageContaining("fp16 file against the fp32 outputs recorded at export");

        // and without the recorded outputs nothing can be checked: refused too
        OnnxMl.ModelProto.Builder stripped = model.toBuilder().clearMetadataProps();
        model.getMetadataPropsList().stream()
                .filter(p -> !p.getKey().equals(Fp16Converter.REFERENCE_KEY))
                .forEach(stripped::addMetadataProps);
        Path unchecked = dir.resolve("unchecked-fp16.onnx");
        Files.write(unchecked, stripped.build().toByteArray());
        assertThatThrownBy(
                        () ->
                                ScoringModel.load(
                                        spec,
                                        new WeightsSource.File(unchecked),
                                        Device.cpu(),
                                        ORT,
                                        2))
                .isInstanceOf(KnownAnswerException.class)
                .hasMessageContaining("holds no float32 reference");
    }

    @Test
    void fp16IsForOnnxRuntimeAndBf16IsRefused() {
        assertThatThrownBy(
                        () ->
                                ScoringModel.loadFp16(
                                        spec,
                                        WeightsSource.orDefault(spec, null, 0),
                                        Device.cpu(),
                                        "MXNet",
                                        2,
                                        calibration(8)))
                .hasMessageContaining("--precision fp16 runs on ONNX Runtime");
        assertThat(Precision.parse("FP16")).isEqualTo(Precision.FP16);
        assertThatThrownBy(() -> Precision.parse("bf16"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--precision bf16 is not supported");
    }

    private static int argmax(float[] values) {
        int best = 0;
        for (int i = 1; i < values.length; i++) {
            best = values[i] > values[best] ? i : best;
        }
        return best;
    }
}
