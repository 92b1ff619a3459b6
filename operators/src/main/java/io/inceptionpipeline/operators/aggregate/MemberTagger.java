package io.inceptionpipeline.operators.aggregate;

import io.inceptionpipeline.schemas.Prediction;
import org.apache.flink.api.common.functions.MapFunction;

/** Marks the predictions of one ensemble member's inference operator with its index. */
public class MemberTagger implements MapFunction<Prediction, ScoredUnit> {

    private final int member;

    public MemberTagger(int member) {
        this.member = member;
    }

    @Override
    public ScoredUnit map(Prediction prediction) {
        return new ScoredUnit(member, prediction);
    }
}
