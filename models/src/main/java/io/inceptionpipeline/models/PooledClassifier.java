package io.inceptionpipeline.models;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.nn.core.Linear;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import io.inceptionpipeline.models.layers.Macs;
import io.inceptionpipeline.models.onnx.OnnxGraph;

/**
 * The head the family shares: features, global average pooling (the embedding), a linear classifier
 * named {@code classif}. Subclasses build the features; forward returns {@code [logits,
 * embedding]}.
 */
public abstract class PooledClassifier extends AbstractBlock implements ClassifierNetwork {

    private final int numClasses;
    private final int numFeatures;
    private final Block features;
    private final Linear classif;

    protected PooledClassifier(
            Block features, int numFeatures, int numClasses, String classifierName) {
        if (numClasses < 1) {
            throw new IllegalArgumentException("numClasses must be >= 1, got " + numClasses);
        }
        this.numClasses = numClasses;
        this.numFeatures = numFeatures;
        this.features = addChildBlock("features", features);
        this.classif = addChildBlock(classifierName, Linear.builder().setUnits(numClasses).build());
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = features.forward(ps, inputs, training).singletonOrThrow();
        NDArray embedding = Pool.globalAvgPool2d(x);
        if (!training) {
            x.close();
        }
        NDArray logits = classif.forward(ps, new NDList(embedding), training).singletonOrThrow();
        return new NDList(logits, embedding);
    }

    /** Features, GlobalAveragePool + Flatten (the embedding), Gemm (the logits). */
    @Override
    public OnnxGraph.Outputs exportOnnx(OnnxGraph graph, String image) {
        String embedding = graph.globalAveragePool(graph.apply(features, image));
        return new OnnxGraph.Outputs(graph.apply(classif, embedding), embedding);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        long batch = inputShapes[0].get(0);
        return new Shape[] {new Shape(batch, numClasses), new Shape(batch, numFeatures)};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputs) {
        features.initialize(manager, dataType, inputs);
        classif.initialize(manager, dataType, new Shape(inputs[0].get(0), numFeatures));
    }

    @Override
    public long macs(Shape input) {
        return Macs.of(features, input) + Macs.of(classif, new Shape(input.get(0), numFeatures));
    }

    @Override
    public int numClasses() {
        return numClasses;
    }

    @Override
    public int embeddingSize() {
        return numFeatures;
    }
}
