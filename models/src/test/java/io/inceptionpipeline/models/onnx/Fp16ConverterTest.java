package io.inceptionpipeline.models.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnx.proto.OnnxMl;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link Fp16Converter} on a small graph with every kind of node it treats apart: a convolution and
 * a residual scale (float16), the L2 normalization tail of Inception-ResNet-v1 (ReduceL2, Max with
 * a 1e-12 floor, Div: float32), float32 input and output through Casts. Run on ONNX Runtime's CPU
 * provider, which casts around its float32 kernels.
 */
class Fp16ConverterTest {

    static final int FLOAT = OnnxMl.TensorProto.DataType.FLOAT.getNumber();
    static final int FLOAT16 = OnnxMl.TensorProto.DataType.FLOAT16.getNumber();

    @Test
    void float16BitsRoundToNearestEvenAndClampToTheLargestFinite() {
        assertThat(Fp16Converter.float16Bits(1f)).isEqualTo((short) 0x3c00);
        assertThat(Fp16Converter.float16Bits(-2f)).isEqualTo((short) 0xc000);
        assertThat(Fp16Converter.float16Bits(0.1f)).isEqualTo((short) 0x2e66);
        assertThat(Fp16Converter.float16Bits(65504f)).isEqualTo((short) 0x7bff);
        assertThat(Fp16Converter.float16Bits(1e6f)).isEqualTo((short) 0x7bff);
        assertThat(Fp16Converter.float16Bits(-1e6f)).isEqualTo((short) 0xfbff);
        assertThat(Fp16Converter.float16Bits(0x1p-24f)).isEqualTo((short) 0x0001); // subnormal
        assertThat(Fp16Converter.float16Bits(0x1p-14f))
                .isEqualTo((short) 0x0400); // smallest normal
        assertThat(Fp16Converter.float16Bits(1e-12f)).isEqualTo((short) 0); // flushed
        // 1 + 2^-11 lies halfway between 1 and 1 + 2^-10: ties to even (1)
        assertThat(Fp16Converter.float16Bits(1f + 0x1p-11f)).isEqualTo((short) 0x3c00);
        assertThat(Fp16Converter.float16Bits(1f + 3 * 0x1p-11f)).isEqualTo((short) 0x3c02);
        Random random = new Random(7);
        for (int i = 0; i < 10_000; i++) {
            float v = (float) (random.nextGaussian() * Math.pow(10, random.nextInt(9) - 4));
            float back = Fp16Converter.float16Value(Fp16Converter.float16Bits(v));
            // half an ulp of float16 (2^-11 relative) for normal values, 2^-25 absolute below
            assertThat((double) Math.abs(back - v))
                    .as("%s", v)
                    .isLessThanOrEqualTo(Math.max(Math.abs(v) * 0x1p-11, 0x1p-25));
        }
    }

    @Test
    void convertsComputeToFloat16AndKeepsFloat32InputOutputsAndNormalization() throws Exception {
        OnnxMl.ModelProto fp32 = tinyGraph();
        OnnxMl.ModelProto fp16 = Fp16Converter.convert(fp32, "ref");

        Map<String, Integer> initializerTypes = new java.util.HashMap<>();
        fp16.getGraph()
                .getInitializerList()
                .forEach(t -> initializerTypes.put(t.getName(), t.getDataType()));
        assertThat(initializerTypes)
                .containsEntry("w", FLOAT16)
                .containsEntry("b", FLOAT16)
                .containsEntry("scale", FLOAT16)
                .containsEntry("min_norm", FLOAT); // read by Max only: float32
        assertThat(Fp16Converter.float16Initializers(fp16))
                .containsExactlyInAnyOrder("w", "b", "scale");
        assertThat(Fp16Converter.floats16(initializer(fp16, "scale"))[0])
                .isCloseTo(0.17f, org.assertj.core.data.Offset.offset(1e-4f));
        for (OnnxMl.ValueInfoProto io : fp16.getGraph().getInputList()) {
            assertThat(io.getType().getTensorType().getElemType()).isEqualTo(FLOAT);
        }
        for (OnnxMl.ValueInfoProto io : fp16.getGraph().getOutputList()) {
            assertThat(io.getType().getTensorType().getElemType()).isEqualTo(FLOAT);
        }
        OnnxMl.NodeProto first = fp16.getGraph().getNode(0);
        assertThat(first.getOpType()).isEqualTo("Cast");
        assertThat(first.getInput(0)).isEqualTo("x");
        assertThat(first.getAttribute(0).getI()).isEqualTo(FLOAT16);
        // the float32 tail reads the float16 tensor through a Cast to float32
        OnnxMl.NodeProto reduce = node(fp16, "ReduceL2");
        assertThat(producer(fp16, reduce.getInput(0)).getOpType()).isEqualTo("Cast");
        assertThat(producer(fp16, reduce.getInput(0)).getAttribute(0).getI()).isEqualTo(FLOAT);
        // a float16 output comes out of a last Cast to float32; the float32 one needs none
        OnnxMl.NodeProto last = producer(fp16, "y");
        assertThat(last.getOpType()).isEqualTo("Cast");
        assertThat(last.getAttribute(0).getI()).isEqualTo(FLOAT);
        assertThat(producer(fp16, "n").getOpType()).isEqualTo("Identity");
        assertThat(producer(fp16, producer(fp16, "n").getInput(0)).getOpType()).isEqualTo("Div");
        assertThat(Fp16Converter.isFloat16(fp16)).isTrue();
        assertThat(Fp16Converter.isFloat16(fp32)).isFalse();
        assertThat(fp16.getMetadataPropsList())
                .anySatisfy(
                        p -> {
                            assertThat(p.getKey()).isEqualTo(Fp16Converter.REFERENCE_KEY);
                            assertThat(p.getValue()).isEqualTo("ref");
                        });

        float[] x = new float[2 * 4 * 5 * 5];
        Random random = new Random(3);
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextGaussian();
        }
        OrtEnvironment ort = Int8QuantizerTest.ortEnvironment();
        for (String output : new String[] {"y", "n"}) {
            float[] want = run(ort, fp32, x, output);
            float[] got = run(ort, fp16, x, output);
            assertThat(got).hasSameSizeAs(want);
            float scale = 0;
            for (float v : want) {
                scale = Math.max(scale, Math.abs(v));
            }
            for (int i = 0; i < want.length; i++) {
                assertThat(got[i])
                        .as("%s[%d]", output, i)
                        .isCloseTo(want[i], org.assertj.core.data.Offset.offset(4e-3f * scale));
            }
        }
    }

    @Test
    void theReferenceRoundTripsAndAWrongSizeIsRefused() {
        float[][] logits = {{1, 2, 3}, {4, 5, 6}};
        float[][] embedding = {{0.5f, -0.5f}, {1.5f, 2.5f}};
        String encoded = Fp16Converter.encodeReference(logits, embedding);
        float[][][] back = Fp16Converter.decodeReference(encoded, 2);
        assertThat(back[0]).isDeepEqualTo(logits);
        assertThat(back[1]).isDeepEqualTo(embedding);
        assertThatThrownBy(() -> Fp16Converter.decodeReference(encoded, 3))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not 3 rows");
    }

    /**
     * x (N×4×5×5) → Conv 3×3 (w, b) → Mul by 0.17 → Add x → GlobalAveragePool → Flatten → y; and y
     * → ReduceL2 → Max(min_norm = 1e-12) → Div → n.
     */
    static OnnxMl.ModelProto tinyGraph() {
        OnnxGraph graph = new OnnxGraph();
        Random random = new Random(11);
        float[] w = new float[4 * 4 * 3 * 3];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) (random.nextGaussian() * 0.3);
        }
        graph.initializer("w", w, 4, 4, 3, 3);
        graph.initializer("b", new float[] {0.1f, -0.2f, 0.3f, 0.05f}, 4);
        graph.initializer("scale", new float[] {0.17f});
        graph.initializer("min_norm", new float[] {1e-12f});
        String conv =
                graph.node("Conv", "x", "w", "b")
                        .ints("kernel_shape", 3, 3)
                        .ints("pads", 1, 1, 1, 1)
                        .output();
        String scaled = graph.node("Mul", conv, "scale").output();
        String sum = graph.node("Add", scaled, "x").output();
        String pooled = graph.globalAveragePool(sum);
        String norm =
                graph.node("ReduceL2", pooled).ints("axes", 1).integer("keepdims", 1).output();
        String clamped = graph.node("Max", norm, "min_norm").output();
        String normalized = graph.node("Div", pooled, clamped).output();
        OnnxMl.GraphProto.Builder proto =
                graph.proto()
                        .setName("tiny")
                        .addInput(value("x", 4, 5, 5))
                        .addNode(identity(pooled, "y"))
                        .addOutput(value("y", 4))
                        .addNode(identity(normalized, "n"))
                        .addOutput(value("n", 4));
        return OnnxMl.ModelProto.newBuilder()
                .setIrVersion(OnnxExport.IR_VERSION)
                .addOpsetImport(
                        OnnxMl.OperatorSetIdProto.newBuilder()
                                .setDomain("")
                                .setVersion(OnnxExport.OPSET))
                .setGraph(proto)
                .build();
    }

    private static OnnxMl.NodeProto identity(String from, String to) {
        return OnnxMl.NodeProto.newBuilder()
                .setOpType("Identity")
                .setName(to)
                .addInput(from)
                .addOutput(to)
                .build();
    }

    private static OnnxMl.ValueInfoProto value(String name, long... dims) {
        OnnxMl.TensorShapeProto.Builder shape = OnnxMl.TensorShapeProto.newBuilder();
        shape.addDim(OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimParam("N"));
        for (long d : dims) {
            shape.addDim(OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        return OnnxMl.ValueInfoProto.newBuilder()
                .setName(name)
                .setType(
                        OnnxMl.TypeProto.newBuilder()
                                .setTensorType(
                                        OnnxMl.TypeProto.Tensor.newBuilder()
                                                .setElemType(FLOAT)
                                                .setShape(shape)))
                .build();
    }

    private static OnnxMl.TensorProto initializer(OnnxMl.ModelProto model, String name) {
        return model.getGraph().getInitializerList().stream()
                .filter(t -> t.getName().equals(name))
                .findFirst()
                .orElseThrow();
    }

    private static OnnxMl.NodeProto node(OnnxMl.ModelProto model, String op) {
        return model.getGraph().getNodeList().stream()
                .filter(n -> n.getOpType().equals(op))
                .findFirst()
                .orElseThrow();
    }

    private static OnnxMl.NodeProto producer(OnnxMl.ModelProto model, String tensor) {
        return model.getGraph().getNodeList().stream()
                .filter(n -> n.getOutputList().contains(tensor))
                .findFirst()
                .orElseThrow();
    }

    private static float[] run(OrtEnvironment ort, OnnxMl.ModelProto model, float[] x, String out)
            throws Exception {
        try (OrtSession session = ort.createSession(model.toByteArray());
                OnnxTensor input =
                        OnnxTensor.createTensor(ort, FloatBuffer.wrap(x), new long[] {2, 4, 5, 5});
                OrtSession.Result result = session.run(Map.of("x", input))) {
            FloatBuffer buffer = ((OnnxTensor) result.get(out).orElseThrow()).getFloatBuffer();
            float[] values = new float[buffer.remaining()];
            buffer.get(values);
            return values;
        }
    }
}
