package io.inceptionpipeline.models.layers;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import io.inceptionpipeline.models.onnx.OnnxExportable;
import io.inceptionpipeline.models.onnx.OnnxGraph;

/**
 * Blocks applied in order, named like PyTorch's {@code nn.Sequential}: by position ({@code 0},
 * {@code 1}, ...) or by an explicit name. DJL's own {@code SequentialBlock} names children by
 * class, which would not match the reference's state-dict names.
 */
public class Sequential extends AbstractBlock implements Macs.Counted, OnnxExportable {

    /** Adds a block named by its position. */
    public final Sequential add(Block block) {
        return add(Integer.toString(children.size()), block);
    }

    /** Adds a block under an explicit state-dict name. */
    public final Sequential add(String name, Block block) {
        addChildBlock(name, block);
        return this;
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDList x = inputs;
        for (Block block : children.values()) {
            NDList next = block.forward(ps, x, training);
            if (x != inputs) {
                Intermediates.release(training, x, next);
            }
            x = next;
        }
        return x;
    }

    @Override
    public String exportOnnx(OnnxGraph graph, String input) {
        String x = input;
        for (Block block : children.values()) {
            x = graph.apply(block, x);
        }
        return x;
    }

    @Override
    public long macs(Shape input) {
        long total = 0;
        Shape shape = input;
        for (Block block : children.values()) {
            total += Macs.of(block, shape);
            shape = block.getOutputShapes(new Shape[] {shape})[0];
        }
        return total;
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape[] shapes = inputShapes;
        for (Block block : children.values()) {
            shapes = block.getOutputShapes(shapes);
        }
        return shapes;
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputs) {
        Shape[] shapes = inputs;
        for (Block block : children.values()) {
            block.initialize(manager, dataType, shapes);
            shapes = block.getOutputShapes(shapes);
        }
    }
}
