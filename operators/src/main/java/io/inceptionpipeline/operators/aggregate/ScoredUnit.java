package io.inceptionpipeline.operators.aggregate;

import io.inceptionpipeline.schemas.Prediction;

/**
 * One scored unit of a multi-crop or ensemble request: the prediction of one crop by one member,
 * with every class's probability in its top-k. A Flink POJO.
 */
public class ScoredUnit {
    /** Index of the ensemble member that scored it (0 for a single model). */
    public int member;

    public Prediction prediction;

    public ScoredUnit() {}

    public ScoredUnit(int member, Prediction prediction) {
        this.member = member;
        this.prediction = prediction;
    }
}
