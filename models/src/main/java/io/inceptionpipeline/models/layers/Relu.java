package io.inceptionpipeline.models.layers;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import io.inceptionpipeline.models.onnx.OnnxExportable;
import io.inceptionpipeline.models.onnx.OnnxGraph;
import java.io.DataInputStream;
import java.io.IOException;

/**
 * ReLU as a block of its own class, where DJL's {@code Activation.reluBlock()} is a lambda that an
 * exporter cannot tell from any other (Xception's {@code act1}, and its modules' leading ReLUs).
 */
public final class Relu extends AbstractBlock implements OnnxExportable {

    /** DJL's LambdaBlock writes version 2: .params files written with reluBlock load. */
    private static final byte VERSION = 2;

    Relu() {
        super(VERSION);
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        return new NDList(Activation.relu(inputs.singletonOrThrow()));
    }

    @Override
    public String exportOnnx(OnnxGraph graph, String input) {
        return graph.node("Relu", input).output();
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return inputShapes;
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputs) {}

    @Override
    protected void loadMetadata(byte loadVersion, DataInputStream is)
            throws IOException, MalformedModelException {
        if (loadVersion != VERSION) {
            throw new MalformedModelException(
                    "Cannot load Relu, expected version 2, got " + loadVersion);
        }
        readInputShapes(is);
    }
}
