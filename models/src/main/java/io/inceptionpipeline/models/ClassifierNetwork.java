package io.inceptionpipeline.models;

import ai.djl.nn.Block;
import io.inceptionpipeline.models.layers.Macs;
import io.inceptionpipeline.models.onnx.OnnxExportException;
import io.inceptionpipeline.models.onnx.OnnxGraph;
import java.util.List;

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

    /**
     * State-dict prefixes of layers that exist only for training, such as auxiliary classifiers
     * ({@code aux1.}, {@code AuxLogits.}): checkpoints carry them, inference has no place for them,
     * so weight import skips them and reports them as ignored.
     */
    default List<String> trainingOnlyPrefixes() {
        return List.of();
    }

    /**
     * Adds the network's inference graph on the tensor {@code image} to {@code graph}; returns its
     * logits (null without a classifier) and embedding tensors. A network that does not know how is
     * refused, never guessed.
     */
    default OnnxGraph.Outputs exportOnnx(OnnxGraph graph, String image) {
        throw new OnnxExportException(getClass().getName() + " does not export to ONNX");
    }
}
