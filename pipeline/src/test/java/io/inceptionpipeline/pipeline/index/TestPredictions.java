package io.inceptionpipeline.pipeline.index;

import io.inceptionpipeline.schemas.ClassScore;
import io.inceptionpipeline.schemas.ModelInfo;
import io.inceptionpipeline.schemas.Prediction;
import io.inceptionpipeline.schemas.Timings;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Synthetic predictions whose embedding, label and score follow from a seed. */
final class TestPredictions {

    static final String MODEL = "inception_resnet_fmnist";
    static final String DIGEST = "sha256:test";

    private TestPredictions() {}

    /** Request {@code id}'s prediction, version {@code seed}: a {@code dims}-d embedding. */
    static Prediction of(String id, long seed, int dims) {
        return of(id, seed, dims, DIGEST);
    }

    static Prediction of(String id, long seed, int dims, String digest) {
        SplittableRandom random = new SplittableRandom(seed);
        List<Float> embedding = new ArrayList<>(dims);
        for (int i = 0; i < dims; i++) {
            embedding.add((float) random.nextDouble(-1, 1));
        }
        int label = (int) (seed % 10);
        return Prediction.newBuilder()
                .setRequestId(id)
                .setUri("file:///images/" + label + "/" + id + ".png")
                .setModel(new ModelInfo(MODEL, "test", digest, "onnxruntime", "fp32", "cpu"))
                .setTopK(List.of(new ClassScore(label, "class-" + label, (seed % 1000) / 1000f)))
                .setEmbedding(embedding)
                .setCropMode("center")
                .setTimings(new Timings(0f, 0f, 0f, 0f))
                .setScoredAt(Instant.ofEpochMilli(1_700_000_000_000L + seed))
                .build();
    }
}
