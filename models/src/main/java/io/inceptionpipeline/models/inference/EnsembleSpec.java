package io.inceptionpipeline.models.inference;

import io.inceptionpipeline.models.spec.ModelRegistry;
import io.inceptionpipeline.models.spec.ModelSpec;
import java.util.ArrayList;
import java.util.List;

/**
 * The models that score each request and their weights in the averaged probabilities, parsed and
 * checked in one place from what users write: {@code --model a,b,c}, {@code --weights fa,fb,fc}
 * (one file per member, an empty entry for a member's default weights) and {@code
 * --ensemble-weights 2,1,1} (default: equal). One member is the plain single-model case.
 *
 * <p>Members share one preprocessing (input size, crop fraction, filter): the image is decoded and
 * cropped once and every member scores the same crops. Three Fashion-MNIST models trained with
 * different seeds qualify; GoogLeNet (224) with Inception-v3 (299) does not.
 *
 * @param members the models, in the order given
 */
public record EnsembleSpec(List<Member> members) {

    /**
     * One model of an ensemble.
     *
     * @param model registry name
     * @param weights weights file, or null for the model's default (shipped or seeded random)
     * @param weight its weight in the average, positive
     */
    public record Member(String model, String weights, double weight) {}

    public EnsembleSpec {
        if (members.isEmpty()) {
            throw new IllegalArgumentException("An ensemble needs at least one model");
        }
        members = List.copyOf(members);
        ModelSpec first = ModelRegistry.get(members.get(0).model());
        for (Member m : members) {
            ModelSpec spec = ModelRegistry.get(m.model());
            if (spec.inputSize() != first.inputSize()
                    || spec.cropPct() != first.cropPct()
                    || spec.interpolation() != first.interpolation()) {
                throw new IllegalArgumentException(
                        "Ensemble members must share their preprocessing: "
                                + first.name()
                                + " and "
                                + spec.name()
                                + " differ in input size, crop fraction or filter");
            }
            if (!(m.weight() > 0) || Double.isInfinite(m.weight())) {
                throw new IllegalArgumentException(
                        "Ensemble weights must be positive, got " + m.weight());
            }
        }
    }

    /**
     * Parses the comma lists. {@code weightsFiles} and {@code ensembleWeights} may be null; when
     * given they have one entry per model.
     */
    public static EnsembleSpec parse(String models, String weightsFiles, String ensembleWeights) {
        List<String> names = split(models);
        List<String> files = weightsFiles == null ? null : split(weightsFiles);
        List<String> weights = ensembleWeights == null ? null : split(ensembleWeights);
        if (files != null && files.size() != names.size()) {
            throw new IllegalArgumentException(
                    "--weights names "
                            + files.size()
                            + " files for "
                            + names.size()
                            + " models: give one per model (empty for a model's default)");
        }
        if (weights != null && weights.size() != names.size()) {
            throw new IllegalArgumentException(
                    "--ensemble-weights has "
                            + weights.size()
                            + " values for "
                            + names.size()
                            + " models");
        }
        List<Member> members = new ArrayList<>(names.size());
        for (int i = 0; i < names.size(); i++) {
            if (names.get(i).isEmpty()) {
                throw new IllegalArgumentException("Empty model name in '" + models + "'");
            }
            String file = files == null || files.get(i).isEmpty() ? null : files.get(i);
            double weight;
            try {
                weight = weights == null ? 1.0 : Double.parseDouble(weights.get(i));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(
                        "--ensemble-weights: '" + weights.get(i) + "' is not a number");
            }
            members.add(new Member(names.get(i), file, weight));
        }
        return new EnsembleSpec(members);
    }

    private static List<String> split(String list) {
        List<String> out = new ArrayList<>();
        for (String part : list.split(",", -1)) {
            out.add(part.trim());
        }
        return out;
    }

    /** The number of members. */
    public int size() {
        return members.size();
    }

    /** Whether several models score each request. */
    public boolean isEnsemble() {
        return members.size() > 1;
    }

    /** The weight of each member, in order. */
    public double[] weights() {
        return members.stream().mapToDouble(Member::weight).toArray();
    }
}
