package io.inceptionpipeline.models.onnx;

import ai.onnx.proto.OnnxMl;
import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Static int8 quantization of an exported graph, written as QDQ (QuantizeLinear / DequantizeLinear
 * pairs around float operators), the form ONNX Runtime fuses into its integer kernels (QLinearConv
 * on VNNI, QLinearAdd, QLinearConcat, uint8 MaxPool):
 *
 * <ul>
 *   <li><b>activations</b> uint8, asymmetric, one scale and zero point per tensor from the range
 *       seen on calibration images ({@link #activations} names them; {@link #calibrationModel}
 *       exposes them as graph outputs so a runtime can measure them);
 *   <li><b>convolution weights</b> int8, symmetric, one scale per output channel; <b>biases</b>
 *       int32 at scale {@code input scale × weight scale}, as QLinearConv takes them;
 *   <li>the classifier, the embedding and everything after the last activation stay float.
 * </ul>
 *
 * <p>Which tensors: the input image and every output of Conv, Relu, Concat, MaxPool, AveragePool
 * and Add, except a convolution output read only by a Relu (the Relu's output is quantized instead;
 * with zero point 0 the Relu is then redundant and ONNX Runtime drops it into the convolution) and
 * the graph's outputs. A MaxPool output takes its input's range, so the pair around it is exact and
 * the pooling runs on uint8. A residual scale ({@code Mul} of a convolution's only output by a
 * constant) is folded into that convolution first ({@link #foldScales}), exactly in float.
 *
 * <pre>{@code
 * OnnxMl.ModelProto prepared = Int8Quantizer.foldScales(fp32);
 * List<String> tensors = Int8Quantizer.activations(prepared);
 * Map<String, Int8Quantizer.Range> ranges = ... // min/max of each tensor on calibration images
 * OnnxMl.ModelProto int8 = Int8Quantizer.quantize(prepared, ranges, false, "minmax");
 * }</pre>
 */
public final class Int8Quantizer {

    /** Metadata key recording the precision of a graph: {@code int8} here (absent: fp32). */
    public static final String PRECISION_KEY = "precision";

    /**
     * Metadata key recording how an int8 graph's activation ranges were calibrated: {@code minmax}
     * or {@code percentile P}.
     */
    public static final String CALIBRATION_KEY = "calibration";

    /** Whether {@code model} is a graph this class quantized ({@link #PRECISION_KEY} int8). */
    public static boolean isQuantized(OnnxMl.ModelProto model) {
        return model.getMetadataPropsList().stream()
                .anyMatch(p -> p.getKey().equals(PRECISION_KEY) && p.getValue().equals("int8"));
    }

    /** The observed range of one tensor on the calibration images. */
    public record Range(float min, float max) {

        /** The range covering both. */
        public Range union(Range other) {
            return new Range(Math.min(min, other.min), Math.max(max, other.max));
        }
    }

    /** Operators whose float outputs get a Q/DQ pair. */
    static final Set<String> QUANTIZED_OUTPUTS =
            Set.of("Conv", "Relu", "Concat", "MaxPool", "AveragePool", "Add");

    private static final int FLOAT = OnnxMl.TensorProto.DataType.FLOAT.getNumber();
    private static final int UINT8 = OnnxMl.TensorProto.DataType.UINT8.getNumber();
    private static final int INT8 = OnnxMl.TensorProto.DataType.INT8.getNumber();
    private static final int INT32 = OnnxMl.TensorProto.DataType.INT32.getNumber();
    private static final int INT64 = OnnxMl.TensorProto.DataType.INT64.getNumber();

    private Int8Quantizer() {}

    /**
     * {@code model} with every {@code Mul(conv_output, constant scalar)} whose convolution output
     * has no other reader folded into that convolution's weight and bias (the same function in
     * float: {@code s·(W*x + b) = (s·W)*x + s·b}).
     */
    public static OnnxMl.ModelProto foldScales(OnnxMl.ModelProto model) {
        OnnxMl.GraphProto graph = model.getGraph();
        Map<String, OnnxMl.TensorProto> initializers = initializers(graph);
        Map<String, OnnxMl.NodeProto> producers = producers(graph);
        Map<String, Integer> readers = readerCounts(graph);
        Map<String, OnnxMl.NodeProto> rewritten = new HashMap<>();
        Set<String> dropped = new HashSet<>();
        Map<String, OnnxMl.TensorProto> replaced = new LinkedHashMap<>();
        for (OnnxMl.NodeProto node : graph.getNodeList()) {
            if (!node.getOpType().equals("Mul") || node.getInputCount() != 2) {
                continue;
            }
            OnnxMl.NodeProto conv = producers.get(node.getInput(0));
            OnnxMl.TensorProto scale = initializers.get(node.getInput(1));
            if (conv == null
                    || !conv.getOpType().equals("Conv")
                    || conv.getInputCount() < 2
                    || readers.getOrDefault(node.getInput(0), 0) != 1
                    || scale == null
                    || floats(scale).length != 1
                    || rewritten.containsKey(conv.getName())) {
                continue;
            }
            float s = floats(scale)[0];
            String weight = conv.getInput(1);
            replaced.put(weight, scaled(initializers.get(weight), s));
            if (conv.getInputCount() > 2 && !conv.getInput(2).isEmpty()) {
                String bias = conv.getInput(2);
                replaced.put(bias, scaled(initializers.get(bias), s));
            }
            rewritten.put(conv.getName(), conv.toBuilder().setOutput(0, node.getOutput(0)).build());
            dropped.add(node.getName());
        }
        if (rewritten.isEmpty()) {
            return model;
        }
        OnnxMl.GraphProto.Builder out = graph.toBuilder().clearNode().clearInitializer();
        for (OnnxMl.NodeProto node : graph.getNodeList()) {
            if (!dropped.contains(node.getName())) {
                out.addNode(rewritten.getOrDefault(node.getName(), node));
            }
        }
        Set<String> read = new HashSet<>();
        out.getNodeList().forEach(n -> read.addAll(n.getInputList()));
        for (OnnxMl.TensorProto tensor : graph.getInitializerList()) {
            if (read.contains(tensor.getName())) {
                out.addInitializer(replaced.getOrDefault(tensor.getName(), tensor));
            }
        }
        return model.toBuilder().setGraph(out).build();
    }

    /** The tensors that get a Q/DQ pair, in graph order: see the class comment. */
    public static List<String> activations(OnnxMl.ModelProto model) {
        OnnxMl.GraphProto graph = model.getGraph();
        Set<String> outputs = new HashSet<>();
        graph.getOutputList().forEach(o -> outputs.add(o.getName()));
        Map<String, List<OnnxMl.NodeProto>> readers = readers(graph);
        List<String> tensors = new ArrayList<>();
        tensors.add(graph.getInput(0).getName());
        for (OnnxMl.NodeProto node : graph.getNodeList()) {
            if (!QUANTIZED_OUTPUTS.contains(node.getOpType())) {
                continue;
            }
            String tensor = node.getOutput(0);
            List<OnnxMl.NodeProto> read = readers.getOrDefault(tensor, List.of());
            boolean onlyRelu =
                    !read.isEmpty() && read.stream().allMatch(r -> r.getOpType().equals("Relu"));
            if (outputs.contains(tensor) || read.isEmpty() || onlyRelu) {
                continue;
            }
            tensors.add(tensor);
        }
        return tensors;
    }

    /**
     * {@code model} with the minimum and maximum of each of {@code tensors} added as scalar outputs
     * ({@link #minimumOf}, {@link #maximumOf}): the runtime reduces each tensor where it is
     * computed, so calibration neither keeps nor copies any activation.
     */
    public static OnnxMl.ModelProto calibrationModel(
            OnnxMl.ModelProto model, List<String> tensors) {
        OnnxMl.GraphProto.Builder graph = model.getGraph().toBuilder();
        for (String tensor : tensors) {
            for (String op : new String[] {"ReduceMin", "ReduceMax"}) {
                String out = op.equals("ReduceMin") ? minimumOf(tensor) : maximumOf(tensor);
                graph.addNode(
                        OnnxMl.NodeProto.newBuilder()
                                .setOpType(op)
                                .setName(out)
                                .addInput(tensor)
                                .addOutput(out)
                                .addAttribute(
                                        OnnxMl.AttributeProto.newBuilder()
                                                .setName("keepdims")
                                                .setType(OnnxMl.AttributeProto.AttributeType.INT)
                                                .setI(0)));
                graph.addOutput(floatValue(out));
            }
        }
        return model.toBuilder().setGraph(graph).build();
    }

    /** The calibration graph's output holding the minimum of {@code tensor}. */
    public static String minimumOf(String tensor) {
        return tensor + "_calibration_min";
    }

    /** The calibration graph's output holding the maximum of {@code tensor}. */
    public static String maximumOf(String tensor) {
        return tensor + "_calibration_max";
    }

    /**
     * {@code model} with both tails of each of {@code tensors} as outputs, for percentile
     * calibration: the input {@link #tailLengthOf} (int64, shape [1]) says how many values each
     * tail holds; {@link #largestOf} holds that many largest values of the flattened tensor and
     * {@link #smallestNegatedOf} that many largest of its negation (so the smallest, negated), both
     * sorted from the largest; {@link #sizeOf} holds the tensor's element count (int64 scalar). The
     * runtime selects the tails where each tensor is computed: only they are copied out.
     */
    public static OnnxMl.ModelProto tailsModel(OnnxMl.ModelProto model, List<String> tensors) {
        OnnxMl.GraphProto.Builder graph = model.getGraph().toBuilder();
        String flatShape = "calibration_flat_shape";
        graph.addInitializer(
                OnnxMl.TensorProto.newBuilder()
                        .setName(flatShape)
                        .setDataType(INT64)
                        .addDims(1)
                        .addInt64Data(-1));
        for (String tensor : tensors) {
            String flat = tensor + "_calibration_flat";
            String negated = tensor + "_calibration_negated";
            String k = tailLengthOf(tensor);
            graph.addInput(tensorValue(k, INT64));
            graph.addNode(node("Size", sizeOf(tensor), List.of(tensor), sizeOf(tensor)));
            graph.addNode(node("Reshape", flat, List.of(tensor, flatShape), flat));
            graph.addNode(node("Neg", negated, List.of(flat), negated));
            graph.addNode(
                    node(
                            "TopK",
                            largestOf(tensor),
                            List.of(flat, k),
                            largestOf(tensor),
                            tensor + "_calibration_largest_at"));
            graph.addNode(
                    node(
                            "TopK",
                            smallestNegatedOf(tensor),
                            List.of(negated, k),
                            smallestNegatedOf(tensor),
                            tensor + "_calibration_smallest_at"));
            graph.addOutput(tensorValue(sizeOf(tensor), INT64));
            graph.addOutput(floatValue(largestOf(tensor)));
            graph.addOutput(floatValue(smallestNegatedOf(tensor)));
        }
        return model.toBuilder().setGraph(graph).build();
    }

    /** The tails graph's input: how many values each tail of {@code tensor} holds. */
    public static String tailLengthOf(String tensor) {
        return tensor + "_calibration_k";
    }

    /** The tails graph's output: the element count of {@code tensor}. */
    public static String sizeOf(String tensor) {
        return tensor + "_calibration_size";
    }

    /** The tails graph's output: the largest values of {@code tensor}, largest first. */
    public static String largestOf(String tensor) {
        return tensor + "_calibration_largest";
    }

    /** The tails graph's output: the smallest values of {@code tensor} negated, largest first. */
    public static String smallestNegatedOf(String tensor) {
        return tensor + "_calibration_smallest_negated";
    }

    /**
     * The QDQ graph of {@code model} (prepared by {@link #foldScales}) for activation {@code
     * ranges} measured on calibration images ({@link #activations} each), recording how they were
     * calibrated ({@code calibration}: {@code minmax}, {@code percentile 99.99}) under the metadata
     * key {@link #CALIBRATION_KEY}. {@code reduceRange} keeps weights in 7 bits ([-63, 63]), which
     * CPUs without VNNI need: their 8-bit multiply-add saturates 16-bit sums of two full-range
     * products.
     */
    public static OnnxMl.ModelProto quantize(
            OnnxMl.ModelProto model,
            Map<String, Range> ranges,
            boolean reduceRange,
            String calibration) {
        OnnxMl.GraphProto graph = model.getGraph();
        Map<String, OnnxMl.TensorProto> initializers = initializers(graph);
        Map<String, Range> effective = new LinkedHashMap<>();
        for (String tensor : activations(model)) {
            Range range = ranges.get(tensor);
            if (range == null) {
                throw new IllegalArgumentException("No calibration range for tensor " + tensor);
            }
            effective.put(tensor, range);
        }
        // A MaxPool's output takes its input's parameters: the pair around it is then exact.
        for (OnnxMl.NodeProto node : graph.getNodeList()) {
            if (node.getOpType().equals("MaxPool")
                    && effective.containsKey(node.getOutput(0))
                    && effective.containsKey(node.getInput(0))) {
                effective.put(node.getOutput(0), effective.get(node.getInput(0)));
            }
        }
        OnnxMl.GraphProto.Builder out = graph.toBuilder().clearNode();
        Map<String, Float> scales = new HashMap<>();
        Map<String, String> dequantized = new HashMap<>();
        // The input image: quantized before the first node.
        String input = graph.getInput(0).getName();
        if (effective.containsKey(input)) {
            dequantized.put(input, qdq(out, input, effective.get(input), scales));
        }
        for (OnnxMl.NodeProto node : graph.getNodeList()) {
            OnnxMl.NodeProto.Builder rewired = node.toBuilder();
            for (int i = 0; i < node.getInputCount(); i++) {
                String dq = dequantized.get(node.getInput(i));
                if (dq != null) {
                    rewired.setInput(i, dq);
                }
            }
            if (node.getOpType().equals("Conv") && scales.containsKey(node.getInput(0))) {
                quantizeConvParameters(
                        out,
                        rewired,
                        initializers,
                        scales.get(node.getInput(0)),
                        reduceRange ? 63 : 127);
            }
            out.addNode(rewired);
            String produced = node.getOutput(0);
            if (effective.containsKey(produced)) {
                dequantized.put(produced, qdq(out, produced, effective.get(produced), scales));
            }
        }
        // Initializers replaced by their int8 forms are no longer read.
        Set<String> read = new HashSet<>();
        out.getNodeList().forEach(n -> read.addAll(n.getInputList()));
        List<OnnxMl.TensorProto> kept = new ArrayList<>();
        for (OnnxMl.TensorProto tensor : out.getInitializerList()) {
            if (read.contains(tensor.getName())) {
                kept.add(tensor);
            }
        }
        out.clearInitializer().addAllInitializer(kept);
        OnnxMl.ModelProto.Builder quantized = model.toBuilder().setGraph(out);
        quantized.addMetadataProps(entry(PRECISION_KEY, "int8"));
        quantized.addMetadataProps(
                entry(
                        "quantization",
                        "static QDQ: activations uint8 per tensor (calibrated "
                                + calibration
                                + "), conv weights int8 symmetric per output channel"
                                + (reduceRange ? " (7-bit)" : "")
                                + ", biases int32"));
        quantized.addMetadataProps(entry(CALIBRATION_KEY, calibration));
        return quantized.build();
    }

    /**
     * Adds {@code tensor → QuantizeLinear → DequantizeLinear} for {@code range} and returns the
     * dequantized tensor's name; records the scale under {@code tensor} and under that name.
     */
    private static String qdq(
            OnnxMl.GraphProto.Builder graph,
            String tensor,
            Range range,
            Map<String, Float> scales) {
        float min = Math.min(0f, range.min());
        float max = Math.max(0f, range.max());
        float scale = (max - min) / 255f;
        if (!(scale > 0f) || !Float.isFinite(scale)) {
            scale = 1f;
        }
        int zero = Math.round(-min / scale);
        zero = Math.max(0, Math.min(255, zero));
        String scaleName = tensor + "_scale";
        String zeroName = tensor + "_zero_point";
        graph.addInitializer(floatTensor(scaleName, new float[] {scale}));
        graph.addInitializer(
                OnnxMl.TensorProto.newBuilder()
                        .setName(zeroName)
                        .setDataType(UINT8)
                        .setRawData(ByteString.copyFrom(new byte[] {(byte) zero})));
        String quantized = tensor + "_quantized";
        String dequantized = tensor + "_dequantized";
        graph.addNode(
                OnnxMl.NodeProto.newBuilder()
                        .setOpType("QuantizeLinear")
                        .setName(quantized)
                        .addInput(tensor)
                        .addInput(scaleName)
                        .addInput(zeroName)
                        .addOutput(quantized));
        graph.addNode(
                OnnxMl.NodeProto.newBuilder()
                        .setOpType("DequantizeLinear")
                        .setName(dequantized)
                        .addInput(quantized)
                        .addInput(scaleName)
                        .addInput(zeroName)
                        .addOutput(dequantized));
        scales.put(tensor, scale);
        scales.put(dequantized, scale);
        return dequantized;
    }

    /**
     * Replaces the convolution's weight (input 1) by int8 values with one scale per output channel
     * and its bias (input 2) by int32 values at {@code inputScale × weight scale}, each behind a
     * DequantizeLinear along axis 0.
     */
    private static void quantizeConvParameters(
            OnnxMl.GraphProto.Builder graph,
            OnnxMl.NodeProto.Builder conv,
            Map<String, OnnxMl.TensorProto> initializers,
            float inputScale,
            int qmax) {
        OnnxMl.TensorProto weight = initializers.get(conv.getInput(1));
        if (weight == null) {
            return;
        }
        float[] w = floats(weight);
        int channels = (int) weight.getDims(0);
        int perChannel = w.length / channels;
        float[] scale = new float[channels];
        byte[] q = new byte[w.length];
        for (int c = 0; c < channels; c++) {
            float max = 0;
            for (int i = c * perChannel; i < (c + 1) * perChannel; i++) {
                max = Math.max(max, Math.abs(w[i]));
            }
            scale[c] = max > 0 ? max / qmax : 1f;
            for (int i = c * perChannel; i < (c + 1) * perChannel; i++) {
                q[i] = (byte) Math.max(-qmax, Math.min(qmax, Math.round(w[i] / scale[c])));
            }
        }
        String name = weight.getName();
        graph.addInitializer(
                OnnxMl.TensorProto.newBuilder()
                        .setName(name + "_quantized")
                        .setDataType(INT8)
                        .addAllDims(weight.getDimsList())
                        .setRawData(ByteString.copyFrom(q)));
        graph.addInitializer(floatTensor(name + "_scale", scale, channels));
        graph.addInitializer(
                OnnxMl.TensorProto.newBuilder()
                        .setName(name + "_zero_point")
                        .setDataType(INT8)
                        .addDims(channels)
                        .setRawData(ByteString.copyFrom(new byte[channels])));
        graph.addNode(dequantize(name, 0));
        conv.setInput(1, name + "_dequantized");
        if (conv.getInputCount() > 2 && !conv.getInput(2).isEmpty()) {
            OnnxMl.TensorProto bias = initializers.get(conv.getInput(2));
            if (bias == null) {
                return;
            }
            float[] b = floats(bias);
            float[] biasScale = new float[channels];
            ByteBuffer values = ByteBuffer.allocate(4 * channels).order(ByteOrder.LITTLE_ENDIAN);
            for (int c = 0; c < channels; c++) {
                biasScale[c] = inputScale * scale[c];
                long v = Math.round(b[c] / biasScale[c]);
                values.putInt(
                        (int) Math.max(Integer.MIN_VALUE + 1, Math.min(Integer.MAX_VALUE, v)));
            }
            String biasName = bias.getName();
            graph.addInitializer(
                    OnnxMl.TensorProto.newBuilder()
                            .setName(biasName + "_quantized")
                            .setDataType(INT32)
                            .addDims(channels)
                            .setRawData(ByteString.copyFrom(values.array())));
            graph.addInitializer(floatTensor(biasName + "_scale", biasScale, channels));
            graph.addInitializer(
                    OnnxMl.TensorProto.newBuilder()
                            .setName(biasName + "_zero_point")
                            .setDataType(INT32)
                            .addDims(channels)
                            .setRawData(ByteString.copyFrom(new byte[4 * channels])));
            graph.addNode(dequantize(biasName, 0));
            conv.setInput(2, biasName + "_dequantized");
        }
    }

    private static OnnxMl.NodeProto dequantize(String name, int axis) {
        return OnnxMl.NodeProto.newBuilder()
                .setOpType("DequantizeLinear")
                .setName(name + "_dequantized")
                .addInput(name + "_quantized")
                .addInput(name + "_scale")
                .addInput(name + "_zero_point")
                .addOutput(name + "_dequantized")
                .addAttribute(
                        OnnxMl.AttributeProto.newBuilder()
                                .setName("axis")
                                .setType(OnnxMl.AttributeProto.AttributeType.INT)
                                .setI(axis))
                .build();
    }

    /** The values of a float32 initializer (raw little-endian data or float_data). */
    static float[] floats(OnnxMl.TensorProto tensor) {
        if (tensor.getDataType() != FLOAT) {
            throw new IllegalArgumentException(
                    "Initializer " + tensor.getName() + " is not float32");
        }
        if (!tensor.getRawData().isEmpty()) {
            ByteBuffer bytes =
                    tensor.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
            float[] values = new float[bytes.remaining() / 4];
            bytes.asFloatBuffer().get(values);
            return values;
        }
        float[] values = new float[tensor.getFloatDataCount()];
        for (int i = 0; i < values.length; i++) {
            values[i] = tensor.getFloatData(i);
        }
        return values;
    }

    private static OnnxMl.TensorProto scaled(OnnxMl.TensorProto tensor, float s) {
        float[] values = floats(tensor);
        for (int i = 0; i < values.length; i++) {
            values[i] *= s;
        }
        long[] dims = tensor.getDimsList().stream().mapToLong(Long::longValue).toArray();
        return floatTensor(tensor.getName(), values, dims);
    }

    private static OnnxMl.TensorProto floatTensor(String name, float[] values, long... dims) {
        ByteBuffer bytes = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(values);
        OnnxMl.TensorProto.Builder tensor =
                OnnxMl.TensorProto.newBuilder()
                        .setName(name)
                        .setDataType(FLOAT)
                        .setRawData(ByteString.copyFrom(bytes.array()));
        for (long d : dims) {
            tensor.addDims(d);
        }
        return tensor.build();
    }

    private static OnnxMl.ValueInfoProto floatValue(String name) {
        return tensorValue(name, FLOAT);
    }

    private static OnnxMl.ValueInfoProto tensorValue(String name, int elementType) {
        return OnnxMl.ValueInfoProto.newBuilder()
                .setName(name)
                .setType(
                        OnnxMl.TypeProto.newBuilder()
                                .setTensorType(
                                        OnnxMl.TypeProto.Tensor.newBuilder()
                                                .setElemType(elementType)))
                .build();
    }

    private static OnnxMl.NodeProto node(
            String op, String name, List<String> inputs, String... outputs) {
        return OnnxMl.NodeProto.newBuilder()
                .setOpType(op)
                .setName(name)
                .addAllInput(inputs)
                .addAllOutput(List.of(outputs))
                .build();
    }

    private static OnnxMl.StringStringEntryProto entry(String key, String value) {
        return OnnxMl.StringStringEntryProto.newBuilder().setKey(key).setValue(value).build();
    }

    private static Map<String, OnnxMl.TensorProto> initializers(OnnxMl.GraphProto graph) {
        Map<String, OnnxMl.TensorProto> map = new HashMap<>();
        graph.getInitializerList().forEach(t -> map.put(t.getName(), t));
        return map;
    }

    private static Map<String, OnnxMl.NodeProto> producers(OnnxMl.GraphProto graph) {
        Map<String, OnnxMl.NodeProto> map = new HashMap<>();
        for (OnnxMl.NodeProto node : graph.getNodeList()) {
            node.getOutputList().forEach(o -> map.put(o, node));
        }
        return map;
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

    private static Map<String, Integer> readerCounts(OnnxMl.GraphProto graph) {
        Map<String, Integer> map = new HashMap<>();
        readers(graph).forEach((tensor, nodes) -> map.put(tensor, nodes.size()));
        graph.getOutputList().forEach(o -> map.merge(o.getName(), 1, Integer::sum));
        return map;
    }
}
