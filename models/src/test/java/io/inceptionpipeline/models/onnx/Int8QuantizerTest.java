package io.inceptionpipeline.models.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.onnx.proto.OnnxMl;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.inceptionpipeline.models.inference.ScoringModel;
import io.inceptionpipeline.models.inference.WeightsSource;
import io.inceptionpipeline.models.spec.ModelRegistry;
import io.inceptionpipeline.models.spec.ModelSpec;
import io.inceptionpipeline.models.verify.Canary;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The QDQ graph {@link Int8Quantizer} writes, on the residual Fashion-MNIST network with seeded
 * weights: which tensors are quantized, the per-channel int8 weights and int32 biases, the exact
 * residual-scale fold, and the shared MaxPool parameters.
 */
class Int8QuantizerTest {

    @TempDir static Path dir;

    static OnnxMl.ModelProto fp32;
    static final OrtEnvironment ORT = ortEnvironment();

    /**
     * ONNX Runtime's one environment per process, after DJL's engine has created it with its thread
     * settings (DJL cannot start once a plain environment exists).
     */
    static OrtEnvironment ortEnvironment() {
        ai.djl.engine.Engine.getEngine("OnnxRuntime");
        return OrtEnvironment.getEnvironment();
    }

    @BeforeAll
    static void export() throws Exception {
        ModelSpec spec = ModelRegistry.get("inception_resnet_fmnist");
        Path file = dir.resolve("fmnist.onnx");
        try (ScoringModel model =
                ScoringModel.load(
                        spec, new WeightsSource.Seeded(Canary.SEED), Device.cpu(), "MXNet")) {
            model.exportOnnx(file);
        }
        fp32 = OnnxMl.ModelProto.parseFrom(Files.readAllBytes(file));
    }

    @Test
    void foldingResidualScalesChangesNoOutput() throws Exception {
        long muls = count(fp32, "Mul");
        assertThat(muls).as("the network has residual scales").isPositive();
        OnnxMl.ModelProto folded = Int8Quantizer.foldScales(fp32);
        assertThat(count(folded, "Mul")).isZero();
        assertThat(count(folded, "Conv")).isEqualTo(count(fp32, "Conv"));
        float[] images = images(4, 7);
        float[] before = run(fp32, images, 4, OnnxExport.LOGITS);
        float[] after = run(folded, images, 4, OnnxExport.LOGITS);
        for (int i = 0; i < before.length; i++) {
            assertThat(after[i]).isCloseTo(before[i], org.assertj.core.data.Offset.offset(1e-4f));
        }
    }

    @Test
    void quantizesTheInputAndWhatTheConvolutionsRead() {
        OnnxMl.ModelProto prepared = Int8Quantizer.foldScales(fp32);
        List<String> tensors = Int8Quantizer.activations(prepared);
        assertThat(tensors.get(0)).isEqualTo(OnnxExport.INPUT);
        Map<String, OnnxMl.NodeProto> producers = new HashMap<>();
        Map<String, Integer> reluReaders = new HashMap<>();
        Map<String, Integer> readers = new HashMap<>();
        for (OnnxMl.NodeProto node : prepared.getGraph().getNodeList()) {
            node.getOutputList().forEach(o -> producers.put(o, node));
            for (String input : node.getInputList()) {
                readers.merge(input, 1, Integer::sum);
                if (node.getOpType().equals("Relu")) {
                    reluReaders.merge(input, 1, Integer::sum);
                }
            }
        }
        for (String tensor : tensors.subList(1, tensors.size())) {
            assertThat(Int8Quantizer.QUANTIZED_OUTPUTS).contains(producers.get(tensor).getOpType());
            assertThat(reluReaders.getOrDefault(tensor, 0))
                    .as("%s is read by a Relu only, whose output is quantized instead", tensor)
                    .isLessThan(readers.get(tensor));
            assertThat(tensor).isNotIn(OnnxExport.LOGITS, OnnxExport.EMBEDDING);
        }
        // Every convolution reads a quantized tensor, so every convolution runs in int8.
        for (OnnxMl.NodeProto node : prepared.getGraph().getNodeList()) {
            if (node.getOpType().equals("Conv")) {
                assertThat(tensors).contains(node.getInput(0));
            }
        }
    }

    @Test
    void weightsPerChannelInt8AndBiasesInt32AtTheProductScale() {
        OnnxMl.ModelProto prepared = Int8Quantizer.foldScales(fp32);
        Map<String, Int8Quantizer.Range> ranges = new HashMap<>();
        for (String tensor : Int8Quantizer.activations(prepared)) {
            ranges.put(tensor, new Int8Quantizer.Range(-1f, 3f));
        }
        for (boolean reduce : new boolean[] {false, true}) {
            int qmax = reduce ? 63 : 127;
            OnnxMl.ModelProto int8 = Int8Quantizer.quantize(prepared, ranges, reduce, "minmax");
            assertThat(Int8Quantizer.isQuantized(int8)).isTrue();
            assertThat(int8.getMetadataPropsList())
                    .anySatisfy(
                            p -> {
                                assertThat(p.getKey()).isEqualTo(Int8Quantizer.CALIBRATION_KEY);
                                assertThat(p.getValue()).isEqualTo("minmax");
                            });
            Map<String, OnnxMl.TensorProto> init = new HashMap<>();
            int8.getGraph().getInitializerList().forEach(t -> init.put(t.getName(), t));
            Map<String, OnnxMl.TensorProto> original = new HashMap<>();
            prepared.getGraph().getInitializerList().forEach(t -> original.put(t.getName(), t));
            int convolutions = 0;
            for (OnnxMl.NodeProto conv : int8.getGraph().getNodeList()) {
                if (!conv.getOpType().equals("Conv")) {
                    continue;
                }
                convolutions++;
                assertThat(conv.getInput(0)).endsWith("_dequantized");
                String weight = conv.getInput(1).replace("_dequantized", "");
                OnnxMl.TensorProto q = init.get(weight + "_quantized");
                assertThat(q.getDataType()).isEqualTo(OnnxMl.TensorProto.DataType.INT8.getNumber());
                float[] scale = Int8Quantizer.floats(init.get(weight + "_scale"));
                float[] w = Int8Quantizer.floats(original.get(weight));
                byte[] values = q.getRawData().toByteArray();
                int per = w.length / scale.length;
                for (int c = 0; c < scale.length; c++) {
                    float max = 0;
                    for (int i = c * per; i < (c + 1) * per; i++) {
                        max = Math.max(max, Math.abs(w[i]));
                        assertThat(Math.abs(values[i])).isLessThanOrEqualTo(qmax);
                        assertThat(values[i] * scale[c])
                                .isCloseTo(
                                        w[i],
                                        org.assertj.core.data.Offset.offset(scale[c] / 2 + 1e-7f));
                    }
                    assertThat(scale[c])
                            .isCloseTo(max / qmax, org.assertj.core.data.Offset.offset(1e-9f));
                }
                // The bias: int32 at (input scale) x (weight scale), the input scale 4/255.
                String bias = conv.getInput(2).replace("_dequantized", "");
                OnnxMl.TensorProto b = init.get(bias + "_quantized");
                assertThat(b.getDataType())
                        .isEqualTo(OnnxMl.TensorProto.DataType.INT32.getNumber());
                float[] biasScale = Int8Quantizer.floats(init.get(bias + "_scale"));
                float[] fb = Int8Quantizer.floats(original.get(bias));
                ByteBuffer ints =
                        b.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
                for (int c = 0; c < scale.length; c++) {
                    assertThat(biasScale[c])
                            .isCloseTo(
                                    4f / 255f * scale[c],
                                    org.assertj.core.data.Percentage.withPercentage(1e-4));
                    assertThat(ints.getInt() * biasScale[c])
                            .isCloseTo(
                                    fb[c],
                                    org.assertj.core.data.Offset.offset(biasScale[c] / 2 + 1e-7f));
                }
            }
            assertThat(convolutions).isEqualTo(count(prepared, "Conv"));
            // No float convolution weight is left in the file.
            for (OnnxMl.NodeProto conv : prepared.getGraph().getNodeList()) {
                if (conv.getOpType().equals("Conv")) {
                    assertThat(init).doesNotContainKey(conv.getInput(1));
                }
            }
        }
    }

    @Test
    void maxPoolKeepsItsInputsQuantizationSoThePairIsExact() {
        OnnxMl.ModelProto prepared = Int8Quantizer.foldScales(fp32);
        Map<String, Int8Quantizer.Range> ranges = new HashMap<>();
        Random random = new Random(3);
        for (String tensor : Int8Quantizer.activations(prepared)) {
            ranges.put(
                    tensor, new Int8Quantizer.Range(-random.nextFloat(), 1 + random.nextFloat()));
        }
        OnnxMl.ModelProto int8 = Int8Quantizer.quantize(prepared, ranges, false, "minmax");
        Map<String, OnnxMl.TensorProto> init = new HashMap<>();
        int8.getGraph().getInitializerList().forEach(t -> init.put(t.getName(), t));
        int pools = 0;
        for (OnnxMl.NodeProto node : prepared.getGraph().getNodeList()) {
            if (node.getOpType().equals("MaxPool")
                    && ranges.containsKey(node.getOutput(0))
                    && ranges.containsKey(node.getInput(0))) {
                pools++;
                assertThat(init.get(node.getOutput(0) + "_scale"))
                        .isEqualTo(
                                init.get(node.getInput(0) + "_scale").toBuilder()
                                        .setName(node.getOutput(0) + "_scale")
                                        .build());
            }
        }
        assertThat(pools).isPositive();
    }

    private static long count(OnnxMl.ModelProto model, String op) {
        return model.getGraph().getNodeList().stream()
                .filter(n -> n.getOpType().equals(op))
                .count();
    }

    private static float[] images(int n, long seed) {
        Random random = new Random(seed);
        float[] x = new float[n * 3 * 28 * 28];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextGaussian();
        }
        return x;
    }

    private static float[] run(OnnxMl.ModelProto model, float[] images, int n, String output)
            throws Exception {
        try (OrtSession session = ORT.createSession(model.toByteArray());
                OnnxTensor x =
                        OnnxTensor.createTensor(
                                ORT, FloatBuffer.wrap(images), new long[] {n, 3, 28, 28});
                OrtSession.Result result = session.run(Map.of(OnnxExport.INPUT, x))) {
            FloatBuffer out = ((OnnxTensor) result.get(output).orElseThrow()).getFloatBuffer();
            float[] values = new float[out.remaining()];
            out.get(values);
            return values;
        }
    }
}
