package io.inceptionpipeline.models.inference;

import java.util.List;

/** What the model says about one image: the k best classes and, if asked, the embedding. */
public record Scores(List<TopK> topK, float[] embedding) {}
