package io.inceptionpipeline.models.onnx;

import ai.onnx.proto.OnnxMl;
import io.inceptionpipeline.models.ClassifierNetwork;
import io.inceptionpipeline.models.spec.ModelSpec;
import io.inceptionpipeline.models.spec.Normalization;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes a network of the family as an ONNX model, from the DJL blocks themselves (the graph the
 * parity tests vouch for), by one walk from the network's root ({@link
 * ClassifierNetwork#exportOnnx}): input {@code image} (N×3×S×S float32, already normalized as the
 * spec says, N dynamic), outputs {@code logits} (N×classes; absent for an embedding-only network)
 * and {@code embedding}, the spec's preprocessing and the weights digest as metadata.
 *
 * <pre>{@code
 * OnnxExport.Summary written = OnnxExport.write(network, spec, "sha256:...", Path.of("m.onnx"));
 * }</pre>
 */
public final class OnnxExport {

    /** The operator set written: 17 keeps ReduceL2's axes an attribute and is widely supported. */
    public static final int OPSET = 17;

    /** The ONNX IR version of opset 17. */
    static final int IR_VERSION = 8;

    public static final String INPUT = "image";
    public static final String LOGITS = "logits";
    public static final String EMBEDDING = "embedding";

    /** Name of the dynamic batch dimension. */
    public static final String BATCH = "N";

    /**
     * What was written.
     *
     * @param outputs output name to its width (classes, embedding features)
     */
    public record Summary(
            Path file, long bytes, int inputSize, Map<String, Long> outputs, long nodes) {}

    private OnnxExport() {}

    /**
     * The ONNX model of {@code network} (its current weights, BatchNorm folded where the blocks
     * fold it), described by {@code spec} and {@code weightsDigest}. Throws {@link
     * OnnxExportException} naming the first block it cannot export.
     */
    public static OnnxMl.ModelProto model(
            ClassifierNetwork network, ModelSpec spec, String weightsDigest) {
        OnnxGraph graph = new OnnxGraph(network);
        OnnxGraph.Outputs outputs = network.exportOnnx(graph, INPUT);
        OnnxMl.GraphProto.Builder proto = graph.proto().setName(spec.name());
        int size = spec.inputSize();
        proto.addInput(valueInfo(INPUT, 3, size, size));
        if (outputs.logits() != null) {
            proto.addNode(identity(outputs.logits(), LOGITS));
            proto.addOutput(valueInfo(LOGITS, network.numClasses()));
        }
        proto.addNode(identity(outputs.embedding(), EMBEDDING));
        proto.addOutput(valueInfo(EMBEDDING, network.embeddingSize()));
        OnnxMl.ModelProto.Builder model =
                OnnxMl.ModelProto.newBuilder()
                        .setIrVersion(IR_VERSION)
                        .setProducerName("inception-pipeline")
                        .setDomain("io.inceptionpipeline")
                        .setDocString(spec.title())
                        .addOpsetImport(
                                OnnxMl.OperatorSetIdProto.newBuilder()
                                        .setDomain("")
                                        .setVersion(OPSET))
                        .setGraph(proto);
        metadata(network, spec, weightsDigest)
                .forEach(
                        (key, value) ->
                                model.addMetadataProps(
                                        OnnxMl.StringStringEntryProto.newBuilder()
                                                .setKey(key)
                                                .setValue(value)));
        return model.build();
    }

    /**
     * A graph of one 3×3 convolution (stride 1, zero padding 1, no bias) with {@code weight}
     * ({@code out × in × 3 × 3}) over {@code x} ({@code N × in × size × size}, N dynamic) to {@code
     * y}: the engine self-test's probe ({@link
     * io.inceptionpipeline.models.verify.ConvolutionProbe}) as ONNX Runtime runs it.
     */
    public static OnnxMl.ModelProto convolution3x3(float[] weight, int in, int out, int size) {
        OnnxGraph graph = new OnnxGraph();
        String w = graph.initializer("w", weight, out, in, 3, 3);
        String y =
                graph.node("Conv", "x", w)
                        .ints("kernel_shape", 3, 3)
                        .ints("pads", 1, 1, 1, 1)
                        .ints("strides", 1, 1)
                        .output();
        OnnxMl.GraphProto.Builder proto =
                graph.proto()
                        .setName("convolution_probe")
                        .addInput(valueInfo("x", in, size, size))
                        .addNode(identity(y, "y"))
                        .addOutput(valueInfo("y", out, size, size));
        return OnnxMl.ModelProto.newBuilder()
                .setIrVersion(IR_VERSION)
                .setProducerName("inception-pipeline")
                .addOpsetImport(
                        OnnxMl.OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
                .setGraph(proto)
                .build();
    }

    /** Exports to {@code file} (parent directories created). */
    public static Summary write(
            ClassifierNetwork network, ModelSpec spec, String weightsDigest, Path file)
            throws IOException {
        return write(model(network, spec, weightsDigest), spec, file);
    }

    /** Writes {@code model}, a graph of {@code spec}, to {@code file}. */
    public static Summary write(OnnxMl.ModelProto model, ModelSpec spec, Path file)
            throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        try (OutputStream out = Files.newOutputStream(file)) {
            model.writeTo(out);
        }
        Map<String, Long> widths = new LinkedHashMap<>();
        for (OnnxMl.ValueInfoProto output : model.getGraph().getOutputList()) {
            widths.put(
                    output.getName(),
                    output.getType().getTensorType().getShape().getDim(1).getDimValue());
        }
        return new Summary(
                file, Files.size(file), spec.inputSize(), widths, model.getGraph().getNodeCount());
    }

    /**
     * The metadata_props: what a consumer needs to feed the graph as this project does (the crop
     * and the normalization happen before {@code image}) and to know which weights it holds.
     */
    static Map<String, String> metadata(
            ClassifierNetwork network, ModelSpec spec, String weightsDigest) {
        Normalization n = spec.normalization();
        Map<String, String> props = new LinkedHashMap<>();
        props.put("model", spec.name());
        props.put("weights_digest", weightsDigest);
        props.put("num_classes", Integer.toString(network.numClasses()));
        props.put("embedding_size", Integer.toString(network.embeddingSize()));
        props.put("input_size", Integer.toString(spec.inputSize()));
        props.put("crop_pct", Double.toString(spec.cropPct()));
        props.put("interpolation", spec.interpolation().name().toLowerCase(Locale.ROOT));
        props.put("mean", floats(n.mean()));
        props.put("std", floats(n.std()));
        props.put("pixel_scale", Float.toString(n.pixelScale()));
        props.put("channel_order", n.bgr() ? "BGR" : "RGB");
        props.put(
                "normalization",
                "image[c] = (pixel[c] * pixel_scale - mean[c]) / std[c], NCHW, channels in"
                        + " channel_order");
        return props;
    }

    private static String floats(float[] values) {
        StringBuilder s = new StringBuilder();
        for (float v : values) {
            s.append(s.length() == 0 ? "" : ",").append(v);
        }
        return s.toString();
    }

    private static OnnxMl.NodeProto identity(String from, String to) {
        return OnnxMl.NodeProto.newBuilder()
                .setOpType("Identity")
                .setName(to)
                .addInput(from)
                .addOutput(to)
                .build();
    }

    /** A float32 tensor of shape {@code [N, dims...]}, N the dynamic batch. */
    private static OnnxMl.ValueInfoProto valueInfo(String name, long... dims) {
        OnnxMl.TensorShapeProto.Builder shape = OnnxMl.TensorShapeProto.newBuilder();
        shape.addDim(OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimParam(BATCH));
        for (long d : dims) {
            shape.addDim(OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        return OnnxMl.ValueInfoProto.newBuilder()
                .setName(name)
                .setType(
                        OnnxMl.TypeProto.newBuilder()
                                .setTensorType(
                                        OnnxMl.TypeProto.Tensor.newBuilder()
                                                .setElemType(
                                                        OnnxMl.TensorProto.DataType.FLOAT
                                                                .getNumber())
                                                .setShape(shape)))
                .build();
    }

    /** Short description of the outputs for logs: {@code logits [N,1000], embedding [N,1536]}. */
    public static String describe(Summary summary) {
        List<String> parts =
                summary.outputs().entrySet().stream()
                        .map(e -> e.getKey() + " [" + BATCH + "," + e.getValue() + "]")
                        .toList();
        return String.join(", ", parts);
    }
}
