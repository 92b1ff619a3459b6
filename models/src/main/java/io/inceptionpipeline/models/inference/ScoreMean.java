package io.inceptionpipeline.models.inference;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.function.IntFunction;

/**
 * The weighted mean of several softmax vectors (the crops of an image, the members of an ensemble,
 * or both) and the plain mean of their embeddings: how multi-crop evaluation and ensembles combine
 * answers, as in the GoogLeNet paper. Sums are kept in doubles, so the order in which units arrive
 * changes the result by far less than a float's precision.
 */
public final class ScoreMean {

    private final double[] probabilitySums;
    private double weightSum;
    private double[] embeddingSums;
    private int embeddings;
    private int units;

    public ScoreMean(int numClasses) {
        if (numClasses < 0) { // 0: an embedding-only network
            throw new IllegalArgumentException("numClasses must be >= 0, got " + numClasses);
        }
        probabilitySums = new double[numClasses];
    }

    /** Adds one unit's probabilities, indexed by class, with its weight in the mean. */
    public void add(float[] probabilities, double weight) {
        if (probabilities.length != probabilitySums.length) {
            throw new IllegalArgumentException(
                    "Expected "
                            + probabilitySums.length
                            + " class probabilities, got "
                            + probabilities.length);
        }
        if (!(weight > 0)) {
            throw new IllegalArgumentException("Weights must be positive, got " + weight);
        }
        for (int i = 0; i < probabilities.length; i++) {
            probabilitySums[i] += weight * probabilities[i];
        }
        weightSum += weight;
        units++;
    }

    /** Adds one unit's probabilities given as (at least) every class's top-k entry. */
    public void add(List<TopK> allClasses, double weight) {
        add(toArray(allClasses, probabilitySums.length), weight);
    }

    /** Adds one unit's embedding to the plain mean of embeddings. */
    public void addEmbedding(float[] embedding) {
        if (embeddingSums == null) {
            embeddingSums = new double[embedding.length];
        } else if (embeddingSums.length != embedding.length) {
            throw new IllegalArgumentException(
                    "Embeddings of different widths: "
                            + embeddingSums.length
                            + " and "
                            + embedding.length);
        }
        for (int i = 0; i < embedding.length; i++) {
            embeddingSums[i] += embedding[i];
        }
        embeddings++;
    }

    /** Units added. */
    public int units() {
        return units;
    }

    /** The weighted mean probability of every class. */
    public float[] mean() {
        if (units == 0) {
            throw new IllegalStateException("No unit added");
        }
        float[] mean = new float[probabilitySums.length];
        for (int i = 0; i < mean.length; i++) {
            mean[i] = (float) (probabilitySums[i] / weightSum);
        }
        return mean;
    }

    /** The {@code k} classes of highest mean probability, best first (ties: lower index first). */
    public List<TopK> topK(int k, IntFunction<String> label) {
        return top(mean(), k, label);
    }

    /** The mean embedding, or null when none was added. */
    public float[] embeddingMean() {
        if (embeddingSums == null) {
            return null;
        }
        float[] mean = new float[embeddingSums.length];
        for (int i = 0; i < mean.length; i++) {
            mean[i] = (float) (embeddingSums[i] / embeddings);
        }
        return mean;
    }

    /** The {@code k} best classes of a probability vector. */
    public static List<TopK> top(float[] probabilities, int k, IntFunction<String> label) {
        Integer[] order = new Integer[probabilities.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(
                order,
                Comparator.<Integer>comparingDouble(i -> -probabilities[i])
                        .thenComparingInt(i -> i));
        List<TopK> top = new ArrayList<>(Math.min(k, order.length));
        for (int j = 0; j < Math.min(k, order.length); j++) {
            top.add(new TopK(order[j], label.apply(order[j]), probabilities[order[j]]));
        }
        return top;
    }

    /**
     * A probability vector from top-k entries that cover every class; throws when some class is
     * missing (top-k was not asked for all classes).
     */
    public static float[] toArray(List<TopK> allClasses, int numClasses) {
        float[] probabilities = new float[numClasses];
        boolean[] seen = new boolean[numClasses];
        int count = 0;
        for (TopK k : allClasses) {
            if (!seen[k.index()]) {
                seen[k.index()] = true;
                count++;
            }
            probabilities[k.index()] = k.score();
        }
        if (count != numClasses) {
            throw new IllegalArgumentException(
                    "Averaging needs every class's probability, got "
                            + count
                            + " of "
                            + numClasses);
        }
        return probabilities;
    }
}
