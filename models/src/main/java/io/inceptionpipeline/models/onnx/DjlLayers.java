package io.inceptionpipeline.models.onnx;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import java.lang.reflect.Field;
import java.util.Map;

/**
 * The ONNX operators of DJL's own layers, which cannot implement {@link OnnxExportable}: keyed by
 * exact class, so a subclass with other behaviour is refused rather than exported as its parent.
 */
final class DjlLayers {

    /** Writes one DJL layer. */
    interface Exporter {
        String export(OnnxGraph graph, Block block, String input);
    }

    private static final Map<Class<? extends Block>, Exporter> EXPORTERS =
            Map.of(
                    Conv2d.class, (g, b, in) -> conv((Conv2d) b, g, in),
                    BatchNorm.class, (g, b, in) -> batchNorm((BatchNorm) b, g, in),
                    Linear.class, (g, b, in) -> linear((Linear) b, g, in));

    private DjlLayers() {}

    static Exporter exporter(Class<?> type) {
        return EXPORTERS.get(type);
    }

    static String known() {
        return EXPORTERS.keySet().stream().map(Class::getSimpleName).sorted().toList().toString();
    }

    /** Conv with DJL's stride, symmetric padding, dilation and groups (depthwise: groups = C). */
    private static String conv(Conv2d conv, OnnxGraph graph, String input) {
        Parameter bias = conv.getParameters().get("bias");
        String weight = graph.parameter(conv.getParameters().get("weight"));
        OnnxGraph.Node node =
                bias == null
                        ? graph.node("Conv", input, weight)
                        : graph.node("Conv", input, weight, graph.parameter(bias));
        Shape k = conv.getKernelShape();
        Shape s = conv.getStride();
        Shape p = conv.getPadding();
        Shape d = conv.getDilation();
        return node.ints("kernel_shape", k.get(0), k.get(1))
                .ints("strides", s.get(0), s.get(1))
                .ints("pads", p.get(0), p.get(1), p.get(0), p.get(1))
                .ints("dilations", d.get(0), d.get(1))
                .integer("group", conv.getGroups())
                .output();
    }

    /**
     * Inference BatchNorm on channel axis 1: {@code (x - mean) / sqrt(var + eps) * gamma + beta}.
     * DJL 0.36 has no getter for epsilon and axis, which differ between models (1e-3 TF-slim, 1e-5
     * PyTorch), so they are read from its fields.
     */
    private static String batchNorm(BatchNorm bn, OnnxGraph graph, String input) {
        int axis = (Integer) field(bn, "axis");
        if (axis != 1) {
            throw new OnnxExportException("BatchNorm on axis " + axis + " is not exported");
        }
        String[] inputs = {input, null, null, null, null};
        String[] names = {"gamma", "beta", "runningMean", "runningVar"};
        for (int i = 0; i < names.length; i++) {
            Parameter parameter = bn.getParameters().get(names[i]);
            if (parameter == null) {
                throw new OnnxExportException("BatchNorm without " + names[i] + " is not exported");
            }
            inputs[i + 1] = graph.parameter(parameter);
        }
        return graph.node("BatchNormalization", inputs)
                .real("epsilon", (Float) field(bn, "epsilon"))
                .output();
    }

    /** {@code x W^T + b}: Gemm with transB, without C when the layer has no bias. */
    private static String linear(Linear linear, OnnxGraph graph, String input) {
        Parameter bias = linear.getParameters().get("bias");
        String weight = graph.parameter(linear.getParameters().get("weight"));
        OnnxGraph.Node node =
                bias == null
                        ? graph.node("Gemm", input, weight)
                        : graph.node("Gemm", input, weight, graph.parameter(bias));
        return node.integer("transB", 1).output();
    }

    private static Object field(Object target, String name) {
        try {
            Field field = target.getClass().getDeclaredField(name);
            field.setAccessible(true);
            return field.get(target);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new OnnxExportException(
                    "Cannot read "
                            + target.getClass().getName()
                            + "."
                            + name
                            + " (DJL version without that field?): "
                            + e);
        }
    }
}
