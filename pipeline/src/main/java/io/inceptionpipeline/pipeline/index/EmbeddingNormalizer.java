package io.inceptionpipeline.pipeline.index;

import io.inceptionpipeline.schemas.Prediction;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.MapFunction;

/**
 * {@code --embedding-normalize l2}: divides each prediction's embedding by its L2 norm, so that a
 * consumer's dot product is the cosine similarity. Predictions without an embedding pass as they
 * are.
 */
public final class EmbeddingNormalizer implements MapFunction<Prediction, Prediction> {

    private static final long serialVersionUID = 1L;

    @Override
    public Prediction map(Prediction prediction) {
        if (prediction.getEmbedding() != null) {
            prediction.setEmbedding(normalized(prediction.getEmbedding()));
        }
        return prediction;
    }

    /** The embedding divided by its L2 norm (a zero vector stays zero). */
    static List<Float> normalized(List<Float> embedding) {
        float[] unit = EmbeddingDocuments.l2Normalized(embedding);
        List<Float> out = new ArrayList<>(unit.length);
        for (float v : unit) {
            out.add(v);
        }
        return out;
    }
}
