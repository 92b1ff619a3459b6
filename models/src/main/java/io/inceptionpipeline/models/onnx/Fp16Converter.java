package io.inceptionpipeline.models.onnx;

import ai.onnx.proto.OnnxMl;
import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Float16 conversion of an exported (BatchNorm-folded) float32 graph, as onnxconverter-common's
 * {@code convert_float_to_float16(keep_io_types=True)} does: every float initializer becomes
 * float16 and every operator computes in float16, except the graph's input and outputs, which stay
 * float32 behind a {@code Cast} at each end, so a caller feeds and reads the file as it does the
 * float32 one ({@code image}, {@code logits}, {@code embedding}).
 *
 * <p>The operators of {@link #FLOAT32_OPS} stay float32 with {@code Cast}s around them: the L2
 * normalization of Inception-ResNet-v1's embedding ({@code ReduceL2}, then {@code Max} with a floor
 * of 1e-12 that float16 flushes to zero, then {@code Div}), as {@code Max} is on
 * onnxconverter-common's default block list. Attributes are left as they are: ONNX types the float
 * attributes of these operators (Gemm's alpha, BatchNormalization's epsilon) as float32 whatever
 * the tensors' type, and the graphs of the family hold no integer tensors.
 *
 * <pre>{@code
 * OnnxMl.ModelProto fp16 = Fp16Converter.convert(fp32, reference);
 * }</pre>
 */
public final class Fp16Converter {

    /** Operators that keep computing in float32. */
    public static final Set<String> FLOAT32_OPS = Set.of("ReduceL2", "Max", "Div");

    /**
     * Metadata key of the float32 model's outputs on the canary batch (base64 of little-endian
     * float32, logits rows then embedding rows): a float16 file is checked against them at load.
     */
    public static final String REFERENCE_KEY = "fp16_reference";

    /** Largest finite float16. */
    static final float MAX_FLOAT16 = 65504f;

    private static final int FLOAT = OnnxMl.TensorProto.DataType.FLOAT.getNumber();
    private static final int FLOAT16 = OnnxMl.TensorProto.DataType.FLOAT16.getNumber();

    private Fp16Converter() {}

    /** Whether {@code model} is a graph this class converted (metadata {@code precision=fp16}). */
    public static boolean isFloat16(OnnxMl.ModelProto model) {
        return model.getMetadataPropsList().stream()
                .anyMatch(
                        p ->
                                p.getKey().equals(Int8Quantizer.PRECISION_KEY)
                                        && p.getValue().equals("fp16"));
    }

    /**
     * The float16 graph of {@code model}, with {@code reference} (the float32 model's outputs on
     * the canary batch, {@link #encodeReference}) in its metadata under {@link #REFERENCE_KEY}.
     */
    public static OnnxMl.ModelProto convert(OnnxMl.ModelProto model, String reference) {
        OnnxMl.GraphProto graph = model.getGraph();
        if (graph.getInputCount() != 1) {
            throw new IllegalArgumentException(
                    "Expected one graph input, found " + graph.getInputCount());
        }
        Map<String, List<OnnxMl.NodeProto>> readers = readers(graph);
        // The type each tensor has in the converted graph, and the Casts made so far.
        Map<String, Integer> types = new HashMap<>();
        Map<String, String> casts = new HashMap<>();
        OnnxMl.GraphProto.Builder out = graph.toBuilder().clearNode().clearInitializer();
        out.clearValueInfo(); // float32 shapes of intermediate tensors would contradict
        for (OnnxMl.TensorProto tensor : graph.getInitializerList()) {
            boolean float16 =
                    tensor.getDataType() == FLOAT
                            && readers.getOrDefault(tensor.getName(), List.of()).stream()
                                    .anyMatch(r -> !FLOAT32_OPS.contains(r.getOpType()));
            out.addInitializer(float16 ? toFloat16(tensor) : tensor);
            types.put(tensor.getName(), float16 ? FLOAT16 : tensor.getDataType());
        }
        types.put(graph.getInput(0).getName(), FLOAT);
        for (OnnxMl.NodeProto node : graph.getNodeList()) {
            int computes = computesIn(node, types);
            OnnxMl.NodeProto.Builder rewired = node.toBuilder();
            for (int i = 0; i < node.getInputCount(); i++) {
                String input = node.getInput(i);
                Integer type = types.get(input);
                if (type != null && isFloat(type) && type != computes) {
                    rewired.setInput(i, cast(out, input, computes, casts));
                }
            }
            out.addNode(rewired);
            node.getOutputList().forEach(o -> types.put(o, computes));
        }
        // keep_io_types: float32 outputs, cast from the float16 tensors computed under new names
        List<OnnxMl.NodeProto> outputCasts = new ArrayList<>();
        for (OnnxMl.ValueInfoProto output : graph.getOutputList()) {
            String name = output.getName();
            if (types.getOrDefault(name, FLOAT) != FLOAT16) {
                continue;
            }
            String computed = name + "_fp16";
            for (OnnxMl.NodeProto.Builder node : out.getNodeBuilderList()) {
                for (int i = 0; i < node.getOutputCount(); i++) {
                    if (node.getOutput(i).equals(name)) {
                        node.setOutput(i, computed);
                    }
                }
                for (int i = 0; i < node.getInputCount(); i++) {
                    if (node.getInput(i).equals(name)) {
                        node.setInput(i, computed);
                    }
                }
            }
            outputCasts.add(castNode(name + "_output_cast", computed, name, FLOAT));
        }
        outputCasts.forEach(out::addNode);
        OnnxMl.ModelProto.Builder converted = model.toBuilder().setGraph(out);
        converted.clearMetadataProps();
        for (OnnxMl.StringStringEntryProto entry : model.getMetadataPropsList()) {
            if (!entry.getKey().equals(Int8Quantizer.PRECISION_KEY)
                    && !entry.getKey().equals(REFERENCE_KEY)) {
                converted.addMetadataProps(entry);
            }
        }
        converted.addMetadataProps(entry(Int8Quantizer.PRECISION_KEY, "fp16"));
        converted.addMetadataProps(
                entry(
                        "fp16_conversion",
                        "initializers and compute float16, input and outputs float32 through Cast"
                                + " (keep_io_types); float32 operators: "
                                + FLOAT32_OPS.stream().sorted().toList()));
        converted.addMetadataProps(entry(REFERENCE_KEY, reference));
        return converted.build();
    }

    /** {@code rows} of float32 values, back to back, as {@link #REFERENCE_KEY} stores them. */
    public static String encodeReference(float[][] logits, float[][] embedding) {
        int count = 0;
        for (float[][] rows : List.of(logits, embedding)) {
            for (float[] row : rows) {
                count += row.length;
            }
        }
        ByteBuffer bytes = ByteBuffer.allocate(8 + 4 * count).order(ByteOrder.LITTLE_ENDIAN);
        bytes.putInt(logits.length == 0 ? 0 : logits[0].length);
        bytes.putInt(embedding.length == 0 ? 0 : embedding[0].length);
        for (float[][] rows : List.of(logits, embedding)) {
            for (float[] row : rows) {
                for (float v : row) {
                    bytes.putFloat(v);
                }
            }
        }
        return Base64.getEncoder().encodeToString(bytes.array());
    }

    /**
     * The reference of {@link #encodeReference} for {@code images} canary images: {@code [0]}
     * logits rows, {@code [1]} embedding rows. Throws {@link IllegalArgumentException} when it does
     * not hold that many rows.
     */
    public static float[][][] decodeReference(String encoded, int images) {
        ByteBuffer bytes =
                ByteBuffer.wrap(Base64.getDecoder().decode(encoded)).order(ByteOrder.LITTLE_ENDIAN);
        int classes = bytes.getInt();
        int width = bytes.getInt();
        if (classes < 0 || width <= 0 || bytes.remaining() != 4L * images * (classes + width)) {
            throw new IllegalArgumentException(
                    "The float16 reference holds "
                            + bytes.remaining()
                            + " bytes, not "
                            + images
                            + " rows of "
                            + classes
                            + " logits and "
                            + width
                            + " embedding values");
        }
        float[][][] rows = new float[2][images][];
        for (int part = 0; part < 2; part++) {
            for (int i = 0; i < images; i++) {
                rows[part][i] = new float[part == 0 ? classes : width];
                for (int j = 0; j < rows[part][i].length; j++) {
                    rows[part][i][j] = bytes.getFloat();
                }
            }
        }
        return rows;
    }

    /**
     * IEEE 754 binary16 bits of {@code value}, rounded to nearest even; beyond the largest finite
     * float16 clamped to it (±65504), as onnxconverter-common clamps, rather than made infinite.
     */
    static short float16Bits(float value) {
        if (Float.isNaN(value)) {
            return (short) 0x7e00;
        }
        float clamped = Math.max(-MAX_FLOAT16, Math.min(MAX_FLOAT16, value));
        int bits = Float.floatToRawIntBits(clamped);
        int sign = (bits >>> 16) & 0x8000;
        int exponent = ((bits >>> 23) & 0xff) - 127 + 15;
        int mantissa = bits & 0x7fffff;
        if (exponent >= 0x1f) {
            return (short) (sign | 0x7bff); // unreachable after the clamp; kept finite anyway
        }
        if (exponent <= 0) {
            if (exponent < -10) {
                return (short) sign; // below half the smallest subnormal: signed zero
            }
            // subnormal: the implicit bit made explicit, shifted into place, rounded to even
            mantissa |= 0x800000;
            int shift = 14 - exponent;
            int half = mantissa >>> shift;
            int rest = mantissa & ((1 << shift) - 1);
            int halfway = 1 << (shift - 1);
            if (rest > halfway || (rest == halfway && (half & 1) != 0)) {
                half++;
            }
            return (short) (sign | half);
        }
        int half = (exponent << 10) | (mantissa >>> 13);
        int rest = mantissa & 0x1fff;
        if (rest > 0x1000 || (rest == 0x1000 && (half & 1) != 0)) {
            half++; // may carry into the exponent, which is the right result
        }
        return (short) (sign | Math.min(half, 0x7bff));
    }

    /** The float value of binary16 {@code bits}. */
    static float float16Value(short bits) {
        int h = bits & 0xffff;
        int sign = (h & 0x8000) != 0 ? -1 : 1;
        int exponent = (h >>> 10) & 0x1f;
        int mantissa = h & 0x3ff;
        if (exponent == 0) {
            return sign * mantissa * 0x1p-24f;
        }
        if (exponent == 0x1f) {
            return mantissa == 0 ? sign * Float.POSITIVE_INFINITY : Float.NaN;
        }
        return sign * Float.intBitsToFloat(((exponent - 15 + 127) << 23) | (mantissa << 13));
    }

    /** The values of a float16 initializer (raw data, or int32_data holding the bits). */
    public static float[] floats16(OnnxMl.TensorProto tensor) {
        if (tensor.getDataType() != FLOAT16) {
            throw new IllegalArgumentException(
                    "Initializer " + tensor.getName() + " is not float16");
        }
        if (!tensor.getRawData().isEmpty()) {
            ByteBuffer bytes =
                    tensor.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
            float[] values = new float[bytes.remaining() / 2];
            for (int i = 0; i < values.length; i++) {
                values[i] = float16Value(bytes.getShort());
            }
            return values;
        }
        float[] values = new float[tensor.getInt32DataCount()];
        for (int i = 0; i < values.length; i++) {
            values[i] = float16Value((short) tensor.getInt32Data(i));
        }
        return values;
    }

    private static OnnxMl.TensorProto toFloat16(OnnxMl.TensorProto tensor) {
        float[] values = Int8Quantizer.floats(tensor);
        ByteBuffer bytes = ByteBuffer.allocate(2 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            bytes.putShort(float16Bits(v));
        }
        return tensor.toBuilder()
                .clearFloatData()
                .clearRawData()
                .setDataType(FLOAT16)
                .setRawData(ByteString.copyFrom(bytes.array()))
                .build();
    }

    /**
     * The type {@code node} computes in: float32 for {@link #FLOAT32_OPS}, its input's type for an
     * Identity (the output names the exporter adds), float16 otherwise.
     */
    private static int computesIn(OnnxMl.NodeProto node, Map<String, Integer> types) {
        if (FLOAT32_OPS.contains(node.getOpType())) {
            return FLOAT;
        }
        if (node.getOpType().equals("Identity")) {
            return types.getOrDefault(node.getInput(0), FLOAT16);
        }
        return FLOAT16;
    }

    private static boolean isFloat(int type) {
        return type == FLOAT || type == FLOAT16;
    }

    /** The name of {@code tensor} cast to {@code to}, adding the Cast once. */
    private static String cast(
            OnnxMl.GraphProto.Builder graph, String tensor, int to, Map<String, String> casts) {
        String key = tensor + (to == FLOAT16 ? "_to_fp16" : "_to_fp32");
        if (!casts.containsKey(key)) {
            graph.addNode(castNode(key, tensor, key, to));
            casts.put(key, key);
        }
        return key;
    }

    private static OnnxMl.NodeProto castNode(String name, String from, String to, int type) {
        return OnnxMl.NodeProto.newBuilder()
                .setOpType("Cast")
                .setName(name)
                .addInput(from)
                .addOutput(to)
                .addAttribute(
                        OnnxMl.AttributeProto.newBuilder()
                                .setName("to")
                                .setType(OnnxMl.AttributeProto.AttributeType.INT)
                                .setI(type))
                .build();
    }

    private static OnnxMl.StringStringEntryProto entry(String key, String value) {
        return OnnxMl.StringStringEntryProto.newBuilder().setKey(key).setValue(value).build();
    }

    private static Map<String, List<OnnxMl.NodeProto>> readers(OnnxMl.GraphProto graph) {
        Map<String, List<OnnxMl.NodeProto>> map = new HashMap<>();
        for (OnnxMl.NodeProto node : graph.getNodeList()) {
            for (String input : node.getInputList()) {
                map.computeIfAbsent(input, k -> new ArrayList<>()).add(node);
            }
        }
        return map;
    }

    /** The float16 initializers of {@code model}, by name (tests and checks). */
    public static Set<String> float16Initializers(OnnxMl.ModelProto model) {
        Set<String> names = new HashSet<>();
        for (OnnxMl.TensorProto tensor : model.getGraph().getInitializerList()) {
            if (tensor.getDataType() == FLOAT16) {
                names.add(tensor.getName());
            }
        }
        return names;
    }
}
