package io.inceptionpipeline.operators.aggregate;

import io.inceptionpipeline.schemas.ClassScore;
import io.inceptionpipeline.schemas.EnsembleMember;
import io.inceptionpipeline.schemas.Prediction;
import io.inceptionpipeline.schemas.Timings;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * The partial answer to one request while its units arrive: weighted sums of the softmax
 * probabilities, sums of the embeddings, and the first unit as the template of the prediction. It
 * lives in Flink keyed state (a Flink POJO), so a checkpoint taken between two units of a request
 * holds it and a restore resumes it. Sums are doubles, so the order units arrive in does not change
 * the answer beyond float precision.
 */
public class RequestAggregate {
    public double[] probabilitySums;
    public double weightSum;
    public double[] embeddingSums;
    public int embeddingUnits;

    /** An embedding was missing or of another width: the prediction carries none. */
    public boolean embeddingsDisagree;

    public int units;
    public String[] memberDigests;
    public float maxQueueMs;
    public float inferenceMs;
    public Prediction first;

    public RequestAggregate() {}

    /** An empty aggregate for a request scored by {@code members} models. */
    public static RequestAggregate start(int members) {
        RequestAggregate a = new RequestAggregate();
        a.memberDigests = new String[members];
        return a;
    }

    /**
     * Adds a unit's probabilities (its top-k must list every class) with its member's weight.
     *
     * @throws IllegalArgumentException when the unit lacks classes or disagrees with earlier units
     *     on their number
     */
    public void add(ScoredUnit unit, double weight) {
        Prediction p = unit.prediction;
        List<ClassScore> scores = p.getTopK();
        if (probabilitySums == null) {
            probabilitySums = new double[scores.size()];
            first = p;
        }
        if (scores.size() != probabilitySums.length) {
            throw new IllegalArgumentException(
                    "Units disagree on the number of classes: "
                            + probabilitySums.length
                            + " and "
                            + scores.size());
        }
        boolean[] seen = new boolean[scores.size()];
        for (ClassScore s : scores) {
            if (s.getIndex() < 0 || s.getIndex() >= seen.length || seen[s.getIndex()]) {
                throw new IllegalArgumentException(
                        "A unit's top-k must list every class once, got index " + s.getIndex());
            }
            seen[s.getIndex()] = true;
            probabilitySums[s.getIndex()] += weight * s.getScore();
        }
        weightSum += weight;
        addEmbedding(p.getEmbedding());
        if (unit.member >= 0 && unit.member < memberDigests.length) {
            memberDigests[unit.member] = p.getModel().getWeightsDigest();
        }
        if (p.getTimings() != null) {
            maxQueueMs = Math.max(maxQueueMs, p.getTimings().getQueueMs());
            inferenceMs += p.getTimings().getInferenceMs();
        }
        units++;
    }

    private void addEmbedding(List<Float> embedding) {
        if (embedding == null
                || embeddingsDisagree
                || embeddingSums != null && embeddingSums.length != embedding.size()) {
            embeddingsDisagree = true;
            embeddingSums = null;
            return;
        }
        if (embeddingSums == null) {
            embeddingSums = new double[embedding.size()];
        }
        for (int i = 0; i < embeddingSums.length; i++) {
            embeddingSums[i] += embedding.get(i);
        }
        embeddingUnits++;
    }

    /** Every class's mean probability, by class index. */
    public float[] meanProbabilities() {
        float[] mean = new float[probabilitySums.length];
        for (int i = 0; i < mean.length; i++) {
            mean[i] = (float) (probabilitySums[i] / weightSum);
        }
        return mean;
    }

    /** The mean embedding, or null when a unit had none or of another width. */
    public List<Float> meanEmbedding() {
        if (embeddingsDisagree || embeddingSums == null || embeddingUnits == 0) {
            return null;
        }
        List<Float> mean = new ArrayList<>(embeddingSums.length);
        for (double v : embeddingSums) {
            mean.add((float) (v / embeddingUnits));
        }
        return mean;
    }

    /** The request's prediction: top-k of the mean probabilities, as {@code config} says. */
    public Prediction result(AggregationConfig config, Instant scoredAt) {
        float[] mean = meanProbabilities();
        String[] labels = new String[mean.length];
        for (ClassScore s : first.getTopK()) {
            labels[s.getIndex()] = s.getLabel();
        }
        Integer[] order = new Integer[mean.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(
                order, Comparator.<Integer>comparingDouble(i -> -mean[i]).thenComparingInt(i -> i));
        List<ClassScore> top = new ArrayList<>();
        for (int j = 0; j < Math.min(config.topK(), order.length); j++) {
            top.add(new ClassScore(order[j], labels[order[j]], mean[order[j]]));
        }
        List<EnsembleMember> ensemble = null;
        if (config.members() > 1) {
            ensemble = new ArrayList<>(config.members());
            for (int m = 0; m < config.members(); m++) {
                ensemble.add(
                        new EnsembleMember(
                                config.memberNames().get(m),
                                memberDigests[m] == null ? "" : memberDigests[m],
                                config.memberWeights().get(m)));
            }
        }
        Timings t = first.getTimings();
        return Prediction.newBuilder(first)
                .setTopK(top)
                .setEmbedding(meanEmbedding())
                .setCropMode(config.cropMode())
                .setCropCount(config.cropCount())
                .setEnsemble(ensemble)
                .setTimings(new Timings(t.getFetchMs(), t.getDecodeMs(), maxQueueMs, inferenceMs))
                .setScoredAt(scoredAt)
                .build();
    }
}
