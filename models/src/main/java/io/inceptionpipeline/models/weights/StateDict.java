package io.inceptionpipeline.models.weights;

import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import io.inceptionpipeline.models.layers.FlatNames;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The parameters of a block tree under the reference implementation's state-dict names ({@code
 * repeat.3.branch1.0.conv.weight}), so that weight import is a mechanical name mapping.
 *
 * <p>The path of a parameter is the chain of child names. DJL stores a child as {@code "%02d" +
 * name}; the two-digit position is dropped. Blocks marked {@link FlatNames} add no segment. DJL's
 * parameter names map to PyTorch's: BatchNorm {@code gamma/beta/runningMean/runningVar} are {@code
 * weight/bias/running_mean/running_var}.
 */
public final class StateDict {

    private StateDict() {}

    /** Every parameter of {@code block}, in DJL's order, keyed by its reference name. */
    public static Map<String, Parameter> of(Block block) {
        Map<String, Parameter> named = new LinkedHashMap<>();
        collect("", block, named);
        return named;
    }

    /** Number of learnable values: BatchNorm running statistics are buffers, not parameters. */
    public static long countParameters(Block block) {
        long count = 0;
        for (Parameter parameter : of(block).values()) {
            if (isLearnable(parameter)) {
                count += parameter.getArray().getShape().size();
            }
        }
        return count;
    }

    /** Whether PyTorch would list this in {@code parameters()} rather than {@code buffers()}. */
    public static boolean isLearnable(Parameter parameter) {
        return parameter.getType() != Parameter.Type.RUNNING_MEAN
                && parameter.getType() != Parameter.Type.RUNNING_VAR;
    }

    private static void collect(String prefix, Block block, Map<String, Parameter> named) {
        for (Pair<String, Parameter> pair : block.getDirectParameters()) {
            put(named, join(prefix, torchName(pair.getValue())), pair.getValue());
        }
        int position = 0;
        for (Pair<String, Block> child : block.getChildren()) {
            position++;
            Block childBlock = child.getValue();
            String childPrefix =
                    childBlock instanceof FlatNames
                            ? prefix
                            : join(prefix, stripPosition(child.getKey(), position));
            collect(childPrefix, childBlock, named);
        }
    }

    private static void put(Map<String, Parameter> named, String name, Parameter parameter) {
        if (named.put(name, parameter) != null) {
            throw new IllegalStateException("Two parameters share the state-dict name " + name);
        }
    }

    private static String torchName(Parameter parameter) {
        switch (parameter.getType()) {
            case GAMMA:
                return "weight";
            case BETA:
                return "bias";
            case RUNNING_MEAN:
                return "running_mean";
            case RUNNING_VAR:
                return "running_var";
            default:
                return parameter.getName();
        }
    }

    /** DJL names the n-th child {@code String.format("%02d%s", n, name)}. */
    private static String stripPosition(String djlChildName, int position) {
        String expected = String.format(Locale.ROOT, "%02d", position);
        if (!djlChildName.startsWith(expected) || djlChildName.length() == expected.length()) {
            throw new IllegalStateException(
                    "Unexpected DJL child name " + djlChildName + " at position " + position);
        }
        return djlChildName.substring(expected.length());
    }

    private static String join(String prefix, String name) {
        return prefix.isEmpty() ? name : prefix + "." + name;
    }
}
