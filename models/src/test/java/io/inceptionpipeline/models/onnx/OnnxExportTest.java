package io.inceptionpipeline.models.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.nn.Activation;
import ai.onnx.proto.OnnxMl;
import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import io.inceptionpipeline.models.inference.ScoringModel;
import io.inceptionpipeline.models.inference.WeightsSource;
import io.inceptionpipeline.models.layers.Layers;
import io.inceptionpipeline.models.layers.Sequential;
import io.inceptionpipeline.models.spec.ModelRegistry;
import io.inceptionpipeline.models.spec.ModelSpec;
import io.inceptionpipeline.models.testing.TinyNet;
import io.inceptionpipeline.models.verify.Canary;
import io.inceptionpipeline.models.verify.KnownAnswerCheck;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every network of the registry, exported with seeded weights and run by ONNX Runtime, gives the
 * reference implementation's answers on the canary batch (batch 2, and each image at batch 1)
 * within the known-answer tolerance; the file declares what a consumer needs. A graph with one
 * wrong detail fails the same comparison, and a block the exporter does not know is refused.
 */
class OnnxExportTest {

    @TempDir static Path dir;

    private static final OrtEnvironment ORT = ortEnvironment();

    /**
     * ONNX Runtime's one environment per process, after DJL's engine has created it with its thread
     * settings (DJL cannot start once a plain environment exists).
     */
    static OrtEnvironment ortEnvironment() {
        ai.djl.engine.Engine.getEngine("OnnxRuntime");
        return OrtEnvironment.getEnvironment();
    }

    static List<String> models() {
        return ModelRegistry.names();
    }

    /** Exports {@code name} with seeded weights, loaded as every command loads a model. */
    private static Path exported(String name) throws IOException {
        Path file = dir.resolve(name + ".onnx");
        if (!Files.exists(file)) {
            ModelSpec spec = ModelRegistry.get(name);
            try (ScoringModel model =
                    ScoringModel.load(
                            spec, new WeightsSource.Seeded(Canary.SEED), Device.cpu(), "MXNet")) {
                OnnxExport.Summary summary = model.exportOnnx(file);
                assertThat(summary.bytes()).isEqualTo(Files.size(file));
            }
        }
        return file;
    }

    private static Canary.Entry answers(String name) {
        return Canary.of(name).orElseThrow().entry("seeded:" + Canary.SEED).orElseThrow();
    }

    @ParameterizedTest
    @MethodSource("models")
    void onnxRuntimeGivesTheReferenceAnswers(String name) throws Exception {
        ModelSpec spec = ModelRegistry.get(name);
        Path file = exported(name);
        Canary.Entry expected = answers(name);
        try (OrtSession session = ORT.createSession(file.toString())) {
            KnownAnswerCheck.Result batch =
                    KnownAnswerCheck.compare(run(session, spec, 0, 2), expected, true);
            KnownAnswerCheck.Outputs one = run(session, spec, 0, 1);
            KnownAnswerCheck.Outputs other = run(session, spec, 1, 1);
            KnownAnswerCheck.Result single =
                    KnownAnswerCheck.compare(
                            new KnownAnswerCheck.Outputs(
                                    new float[][] {one.logits()[0], other.logits()[0]},
                                    new float[][] {one.embedding()[0], other.embedding()[0]}),
                            expected,
                            true);
            System.out.printf("ORT %s batch 2: %s%n", name, batch.describe());
            System.out.printf("ORT %s batch 1: %s%n", name, single.describe());
            assertThat(batch.passed()).as(batch.describe()).isTrue();
            assertThat(single.passed()).as(single.describe()).isTrue();
        }
    }

    @ParameterizedTest
    @MethodSource("models")
    void declaresNamesDynamicBatchOpsetAndPreprocessing(String name) throws Exception {
        ModelSpec spec = ModelRegistry.get(name);
        Path file = exported(name);
        try (OrtSession session = ORT.createSession(file.toString())) {
            assertThat(session.getInputNames()).containsExactly("image");
            TensorInfo image = (TensorInfo) session.getInputInfo().get("image").getInfo();
            assertThat(image.getShape()).containsExactly(-1, 3, spec.inputSize(), spec.inputSize());
            assertThat(image.getDimensionNames()[0]).isEqualTo("N");
            Map<String, NodeInfo> outputs = session.getOutputInfo();
            if (spec.numClasses() > 0) {
                assertThat(outputs.keySet()).containsExactly("logits", "embedding");
                assertThat(((TensorInfo) outputs.get("logits").getInfo()).getShape())
                        .containsExactly(-1, spec.numClasses());
            } else {
                // embedding-only (facenet): no zero-width logits tensor, see OnnxExport
                assertThat(outputs.keySet()).containsExactly("embedding");
            }
            assertThat(((TensorInfo) outputs.get("embedding").getInfo()).getShape())
                    .containsExactly(-1, spec.embeddingSize());

            Map<String, String> metadata = session.getMetadata().getCustomMetadata();
            assertThat(metadata)
                    .containsEntry("model", name)
                    .containsEntry("weights_digest", "seeded:42")
                    .containsEntry("input_size", Integer.toString(spec.inputSize()))
                    .containsEntry("crop_pct", Double.toString(spec.cropPct()))
                    .containsEntry("interpolation", spec.interpolation().name().toLowerCase())
                    .containsEntry("pixel_scale", Float.toString(spec.normalization().pixelScale()))
                    .containsEntry("channel_order", spec.normalization().bgr() ? "BGR" : "RGB")
                    .containsEntry("num_classes", Integer.toString(spec.numClasses()))
                    .containsKeys("mean", "std");
            float[] mean = spec.normalization().mean();
            assertThat(metadata.get("mean")).isEqualTo(mean[0] + "," + mean[1] + "," + mean[2]);
        }
        OnnxMl.ModelProto model = read(file);
        assertThat(model.getOpsetImportList())
                .anySatisfy(
                        opset -> {
                            assertThat(opset.getDomain()).isEmpty();
                            assertThat(opset.getVersion()).isGreaterThanOrEqualTo(17);
                        });
    }

    /**
     * The comparison can fail: BN-Inception's average pools count the zero padding (Caffe); the
     * same graph with one of them excluding it, or with one weight nudged, is caught.
     */
    @ParameterizedTest
    @MethodSource("faults")
    void aGraphWithOneWrongDetailFailsTheComparison(String fault) throws Exception {
        String name = "bninception";
        ModelSpec spec = ModelRegistry.get(name);
        OnnxMl.ModelProto model = read(exported(name));
        Path broken = dir.resolve(name + "-" + fault + ".onnx");
        try (OutputStream out = Files.newOutputStream(broken)) {
            FAULTS.get(fault).apply(model).writeTo(out);
        }
        try (OrtSession session = ORT.createSession(broken.toString())) {
            KnownAnswerCheck.Result result =
                    KnownAnswerCheck.compare(run(session, spec, 0, 2), answers(name), true);
            System.out.printf("ORT %s with %s: %s%n", name, fault, result.describe());
            assertThat(result.passed()).as(result.describe()).isFalse();
        }
    }

    static List<String> faults() {
        return List.copyOf(FAULTS.keySet());
    }

    private static final Map<String, UnaryOperator<OnnxMl.ModelProto>> FAULTS =
            Map.of(
                    "pool-excluding-padding", OnnxExportTest::firstAveragePoolExcludesPadding,
                    "perturbed-weight", OnnxExportTest::firstWeightNudged);

    private static OnnxMl.ModelProto firstAveragePoolExcludesPadding(OnnxMl.ModelProto model) {
        OnnxMl.ModelProto.Builder builder = model.toBuilder();
        OnnxMl.GraphProto.Builder graph = builder.getGraphBuilder();
        for (OnnxMl.NodeProto.Builder node : graph.getNodeBuilderList()) {
            if (node.getOpType().equals("AveragePool")) {
                for (OnnxMl.AttributeProto.Builder attribute : node.getAttributeBuilderList()) {
                    if (attribute.getName().equals("count_include_pad")) {
                        assertThat(attribute.getI()).isEqualTo(1);
                        attribute.setI(0);
                        return builder.build();
                    }
                }
            }
        }
        throw new AssertionError("no AveragePool with count_include_pad");
    }

    private static OnnxMl.ModelProto firstWeightNudged(OnnxMl.ModelProto model) {
        OnnxMl.ModelProto.Builder builder = model.toBuilder();
        OnnxMl.TensorProto.Builder weight = builder.getGraphBuilder().getInitializerBuilder(0);
        FloatBuffer values =
                weight.getRawData()
                        .asReadOnlyByteBuffer()
                        .order(java.nio.ByteOrder.LITTLE_ENDIAN)
                        .asFloatBuffer();
        float[] copy = new float[values.remaining()];
        values.get(copy);
        copy[0] += 1.0f; // as ScoringModel.FAULT_INJECTION corrupts a weight
        java.nio.ByteBuffer bytes =
                java.nio.ByteBuffer.allocate(4 * copy.length)
                        .order(java.nio.ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(copy);
        weight.setRawData(com.google.protobuf.ByteString.copyFrom(bytes.array()));
        return builder.build();
    }

    @Test
    void refusesABlockItDoesNotKnow() {
        // DJL's reluBlock is a lambda: what it computes cannot be read, so nothing is written.
        Sequential body = Layers.seq(Layers.maxPool(3, 2), Activation.reluBlock());
        OnnxGraph graph = new OnnxGraph(body);
        assertThatThrownBy(() -> graph.apply(body, "image"))
                .isInstanceOf(OnnxExportException.class)
                .hasMessageContaining("ai.djl.nn.LambdaBlock");
    }

    @Test
    void refusesANetworkWithoutAnExport() {
        TinyNet net = new TinyNet(3);
        ModelSpec spec = ModelRegistry.get("inception_resnet_fmnist");
        assertThatThrownBy(() -> OnnxExport.model(net, spec, "seeded:42"))
                .isInstanceOf(OnnxExportException.class)
                .hasMessageContaining("TinyNet");
    }

    /** Images {@code [from, from + count)} of the canary batch through the session. */
    private static KnownAnswerCheck.Outputs run(
            OrtSession session, ModelSpec spec, int from, int count) throws OrtException {
        int size = spec.inputSize();
        int perImage = 3 * size * size;
        FloatBuffer input =
                FloatBuffer.wrap(Canary.inputs(size), from * perImage, count * perImage).slice();
        try (OnnxTensor image = OnnxTensor.createTensor(ORT, input, spec.inputShape(count));
                OrtSession.Result result = session.run(Map.of("image", image))) {
            float[][] embedding = rows(result, "embedding", count);
            float[][] logits =
                    spec.numClasses() > 0 ? rows(result, "logits", count) : new float[count][0];
            return new KnownAnswerCheck.Outputs(logits, embedding);
        }
    }

    private static float[][] rows(OrtSession.Result result, String name, int count) {
        OnnxTensor tensor = (OnnxTensor) result.get(name).orElseThrow();
        long[] shape = tensor.getInfo().getShape();
        assertThat(shape[0]).isEqualTo(count);
        FloatBuffer values = tensor.getFloatBuffer();
        float[][] rows = new float[count][(int) shape[1]];
        for (float[] row : rows) {
            values.get(row);
        }
        return rows;
    }

    private static OnnxMl.ModelProto read(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return OnnxMl.ModelProto.parseFrom(in);
        }
    }
}
