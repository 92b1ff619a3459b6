package io.inceptionpipeline.models.spec;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.initializer.Initializer;
import io.inceptionpipeline.models.ClassifierNetwork;
import io.inceptionpipeline.models.inference.ScoringModel;
import io.inceptionpipeline.models.weights.StateDict;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A model's size as measured from the Java network itself (not quoted from a paper): learnable
 * parameters of its standard head and multiply-accumulates of one image at its input size.
 */
public record ModelSummary(ModelSpec spec, long parameters, long macs) {

    /** Builds the network of {@code spec} with its standard head and measures it. */
    public static ModelSummary of(ModelSpec spec) {
        try (NDManager manager =
                NDManager.newBaseManager(ai.djl.Device.cpu(), ScoringModel.DEFAULT_ENGINE)) {
            ClassifierNetwork net = spec.network().apply(spec.numClasses());
            net.setInitializer(Initializer.ZEROS, p -> true);
            Shape input = new Shape(spec.inputShape(1));
            net.initialize(manager, DataType.FLOAT32, input);
            return new ModelSummary(spec, StateDict.countParameters(net), net.macs(input));
        }
    }

    /** Every registered model, measured. */
    public static List<ModelSummary> all() {
        List<ModelSummary> all = new ArrayList<>();
        for (String name : ModelRegistry.names()) {
            all.add(of(ModelRegistry.get(name)));
        }
        return all;
    }

    /** Giga multiply-accumulates of one image. */
    public double gmacs() {
        return macs / 1e9;
    }

    /** A fixed-width table, one model per line, with a header. */
    public static String table(List<ModelSummary> summaries) {
        String format = "%-29s %12s %7s %6s %6s %7s %-8s %-10s %s%n";
        StringBuilder out = new StringBuilder();
        out.append(
                String.format(
                        Locale.ROOT,
                        format,
                        "model",
                        "parameters",
                        "GMACs",
                        "input",
                        "crop",
                        "embed",
                        "classes",
                        "weights",
                        "description"));
        for (ModelSummary s : summaries) {
            ModelSpec spec = s.spec();
            out.append(
                    String.format(
                            Locale.ROOT,
                            format,
                            spec.name(),
                            String.format(Locale.ROOT, "%,d", s.parameters()),
                            String.format(Locale.ROOT, "%.3f", s.gmacs()),
                            spec.inputSize(),
                            String.format(Locale.ROOT, "%.4f", spec.cropPct()),
                            spec.embeddingSize(),
                            spec.numClasses() == 0 ? "none" : Integer.toString(spec.numClasses()),
                            spec.bundledWeights() != null ? "bundled" : "--weights",
                            spec.title()));
        }
        return out.toString();
    }
}
