package io.inceptionpipeline.models;

import ai.djl.nn.Block;
import io.inceptionpipeline.models.layers.Macs;

/**
 * A network of the family. Its forward pass returns {@code [logits (N, numClasses), embedding (N,
 * embeddingSize)]}: the embedding is the pooled feature vector the classifier reads, so a single
 * pass yields both the top-k and the embedding.
 */
public interface ClassifierNetwork extends Block, Macs.Counted {

    /** Rows of the classifier. */
    int numClasses();

    /** Width of the embedding. */
    int embeddingSize();
}
