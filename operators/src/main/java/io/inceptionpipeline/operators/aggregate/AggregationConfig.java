package io.inceptionpipeline.operators.aggregate;

import java.io.Serializable;
import java.util.List;

/**
 * How the units of a request become one prediction.
 *
 * @param cropMode crop mode recorded in the prediction
 * @param cropCount crops per image
 * @param memberNames model name of each ensemble member, in order
 * @param memberWeights weight of each member in the averaged probabilities
 * @param topK classes in the emitted prediction
 * @param timeoutMs processing time from a request's first unit until it goes to the dead letters if
 *     not complete
 */
public record AggregationConfig(
        String cropMode,
        int cropCount,
        List<String> memberNames,
        List<Double> memberWeights,
        int topK,
        long timeoutMs)
        implements Serializable {

    public AggregationConfig {
        memberNames = List.copyOf(memberNames);
        memberWeights = List.copyOf(memberWeights);
        if (cropCount < 1 || memberNames.isEmpty() || memberNames.size() != memberWeights.size()) {
            throw new IllegalArgumentException(
                    "Need cropCount >= 1 and one weight per member, got "
                            + cropCount
                            + ", "
                            + memberNames
                            + ", "
                            + memberWeights);
        }
        if (topK < 1 || timeoutMs < 1) {
            throw new IllegalArgumentException("topK and timeoutMs must be >= 1");
        }
    }

    /** Units each request becomes: crops × members. */
    public int unitsPerRequest() {
        return cropCount * memberNames.size();
    }

    public int members() {
        return memberNames.size();
    }
}
