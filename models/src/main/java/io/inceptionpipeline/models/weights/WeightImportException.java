package io.inceptionpipeline.models.weights;

import java.util.List;

/**
 * The weights file does not fit the network. Lists every missing, unexpected and mis-shaped tensor
 * (the message shows the first few of each; the getters hold all of them).
 */
public final class WeightImportException extends RuntimeException {

    private static final int SHOWN = 10;

    private final List<String> missing;
    private final List<String> unexpected;
    private final List<String> misshaped;

    public WeightImportException(
            String source, List<String> missing, List<String> unexpected, List<String> misshaped) {
        super(message(source, missing, unexpected, misshaped));
        this.missing = List.copyOf(missing);
        this.unexpected = List.copyOf(unexpected);
        this.misshaped = List.copyOf(misshaped);
    }

    private static String message(
            String source, List<String> missing, List<String> unexpected, List<String> misshaped) {
        StringBuilder sb =
                new StringBuilder("Weights in ").append(source).append(" do not fit the model:");
        section(sb, "missing", missing);
        section(sb, "unexpected", unexpected);
        section(sb, "mis-shaped", misshaped);
        return sb.toString();
    }

    private static void section(StringBuilder sb, String what, List<String> names) {
        if (names.isEmpty()) {
            return;
        }
        sb.append("\n  ").append(names.size()).append(' ').append(what).append(": ");
        sb.append(String.join(", ", names.subList(0, Math.min(SHOWN, names.size()))));
        if (names.size() > SHOWN) {
            sb.append(", ... and ").append(names.size() - SHOWN).append(" more");
        }
    }

    /** Tensors the model needs that the file lacks. */
    public List<String> missing() {
        return missing;
    }

    /** Tensors in the file that the model has no place for. */
    public List<String> unexpected() {
        return unexpected;
    }

    /** Tensors present in both with different shapes or a non-float type, with both shapes. */
    public List<String> misshaped() {
        return misshaped;
    }
}
