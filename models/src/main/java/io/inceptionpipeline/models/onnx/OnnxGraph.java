package io.inceptionpipeline.models.onnx;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.onnx.proto.OnnxMl;
import com.google.protobuf.ByteString;
import io.inceptionpipeline.models.weights.StateDict;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * An ONNX graph under construction: nodes with unique tensor names, and initializers named after
 * the reference's state-dict names ({@code repeat.0.branch0.conv.weight}), so the file reads like
 * the checkpoint it came from.
 *
 * <pre>{@code
 * String y = graph.node("Relu", x).output();
 * String z = graph.apply(childBlock, y); // the child's own operators
 * }</pre>
 */
public final class OnnxGraph {

    /** The two outputs of a network: {@code logits} is null for an embedding-only network. */
    public record Outputs(String logits, String embedding) {}

    private final OnnxMl.GraphProto.Builder graph = OnnxMl.GraphProto.newBuilder();
    private final Map<Parameter, String> parameterNames = new IdentityHashMap<>();
    private final Map<Parameter, String> exported = new IdentityHashMap<>();
    private int counter;

    /** A graph of no network: initializers are named by the caller. */
    OnnxGraph() {}

    /** A graph for {@code root}, whose parameters give the initializers their names. */
    OnnxGraph(Block root) {
        StateDict.of(root).forEach((name, parameter) -> parameterNames.put(parameter, name));
    }

    /**
     * Adds the operators of {@code block} applied to {@code input}: the block's own export if it is
     * {@link OnnxExportable}, else that of the DJL layer class it exactly is ({@link DjlLayers}).
     * Any other block is refused: its computation is unknown, so no graph could be trusted.
     */
    public String apply(Block block, String input) {
        if (block instanceof OnnxExportable exportable) {
            return exportable.exportOnnx(this, input);
        }
        DjlLayers.Exporter exporter = DjlLayers.exporter(block.getClass());
        if (exporter != null) {
            return exporter.export(this, block, input);
        }
        throw new OnnxExportException(
                "Cannot export a block of class "
                        + block.getClass().getName()
                        + " to ONNX: it neither implements OnnxExportable nor is a DJL layer the"
                        + " exporter knows ("
                        + DjlLayers.known()
                        + ")");
    }

    /** A node of {@code opType} over {@code inputs}; {@link Node#output()} adds it. */
    public Node node(String opType, String... inputs) {
        return new Node(opType, inputs);
    }

    /** The state-dict name of {@code parameter}, or a fresh name for one outside the network. */
    public String nameOf(Parameter parameter) {
        String name = parameterNames.get(parameter);
        return name != null ? name : unique(parameter.getName());
    }

    /**
     * Global average pooling to {@code (N, C)}, as DJL's {@code Pool.globalAvgPool2d} returns it:
     * GlobalAveragePool (N×C×1×1), then Flatten.
     */
    public String globalAveragePool(String input) {
        String pooled = node("GlobalAveragePool", input).output();
        return node("Flatten", pooled).integer("axis", 1).output();
    }

    /** The parameter's current values as an initializer, once, under its state-dict name. */
    public String parameter(Parameter parameter) {
        String known = exported.get(parameter);
        if (known != null) {
            return known;
        }
        String name = nameOf(parameter);
        String written = initializer(name, parameter.getArray());
        exported.put(parameter, written);
        return written;
    }

    /** {@code array}'s values as an initializer named {@code name}. */
    public String initializer(String name, NDArray array) {
        return initializer(name, array.toFloatArray(), array.getShape().getShape());
    }

    /** A float32 initializer of shape {@code dims} ({@code {}} for a scalar). */
    public String initializer(String name, float[] values, long... dims) {
        ByteBuffer bytes = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(values);
        graph.addInitializer(
                OnnxMl.TensorProto.newBuilder()
                        .setName(name)
                        .setDataType(OnnxMl.TensorProto.DataType.FLOAT.getNumber())
                        .addAllDims(toList(dims))
                        .setRawData(ByteString.copyFrom(bytes.array())));
        return name;
    }

    /** A scalar float constant under a fresh name. */
    public String scalar(String hint, float value) {
        return initializer(unique(hint), new float[] {value});
    }

    /** A name no tensor of this graph has yet. */
    String unique(String hint) {
        return hint + "_" + counter++;
    }

    /** The graph with its inputs and outputs declared. */
    OnnxMl.GraphProto.Builder proto() {
        return graph;
    }

    private static List<Long> toList(long[] dims) {
        List<Long> list = new ArrayList<>(dims.length);
        for (long d : dims) {
            list.add(d);
        }
        return list;
    }

    /** One operator being described; {@link #output()} adds it to the graph. */
    public final class Node {
        private final OnnxMl.NodeProto.Builder node = OnnxMl.NodeProto.newBuilder();

        private Node(String opType, String... inputs) {
            node.setOpType(opType);
            for (String input : inputs) {
                node.addInput(input);
            }
        }

        public Node ints(String name, long... values) {
            node.addAttribute(
                    OnnxMl.AttributeProto.newBuilder()
                            .setName(name)
                            .setType(OnnxMl.AttributeProto.AttributeType.INTS)
                            .addAllInts(toList(values)));
            return this;
        }

        public Node integer(String name, long value) {
            node.addAttribute(
                    OnnxMl.AttributeProto.newBuilder()
                            .setName(name)
                            .setType(OnnxMl.AttributeProto.AttributeType.INT)
                            .setI(value));
            return this;
        }

        public Node real(String name, float value) {
            node.addAttribute(
                    OnnxMl.AttributeProto.newBuilder()
                            .setName(name)
                            .setType(OnnxMl.AttributeProto.AttributeType.FLOAT)
                            .setF(value));
            return this;
        }

        /** Adds the node; returns the name of its (single) output. */
        public String output() {
            String name = unique(node.getOpType());
            graph.addNode(node.setName(name).addOutput(name));
            return name;
        }
    }
}
