package io.inceptionpipeline.models.layers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
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
import java.util.ArrayList;
import java.util.List;

/**
 * An Inception cell whose layers are named one by one, as Inception-v3 names them ({@code
 * branch5x5_1}, {@code branch5x5_2}, ...) instead of grouping each tower in a sequence: towers of
 * layers over the same input, each possibly ending in a split into parallel layers (Inception-v3's
 * and Inception-v4's "expanded filter banks"), all outputs concatenated on channels in order.
 *
 * <pre>{@code
 * TowerCell.builder()
 *     .tower(layer("branch1x1", conv(320, 1)))
 *     .tower(List.of(layer("branch3x3_1", conv(384, 1))),
 *            layer("branch3x3_2a", conv(384, 1, 3)), layer("branch3x3_2b", conv(384, 3, 1)))
 *     .build();
 * }</pre>
 */
public class TowerCell extends AbstractBlock implements Macs.Counted, OnnxExportable {

    /** A layer and its state-dict name; layers without parameters may share any unused name. */
    public record Layer(String name, Block block) {}

    private record Tower(List<Block> chain, List<Block> split) {}

    private final List<Tower> towers = new ArrayList<>();

    protected TowerCell(Builder builder) {
        for (List<Layer>[] spec : builder.towers) {
            List<Block> chain = new ArrayList<>();
            for (Layer layer : spec[0]) {
                chain.add(addChildBlock(layer.name(), layer.block()));
            }
            List<Block> split = new ArrayList<>();
            for (Layer layer : spec[1]) {
                split.add(addChildBlock(layer.name(), layer.block()));
            }
            towers.add(new Tower(chain, split));
        }
    }

    public static Layer layer(String name, Block block) {
        return new Layer(name, block);
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        NDList parts = new NDList();
        List<NDArray> consumed = new ArrayList<>();
        for (Tower tower : towers) {
            NDArray y = x;
            for (Block block : tower.chain()) {
                NDArray next = block.forward(ps, new NDList(y), training).singletonOrThrow();
                if (y != x) {
                    consumed.add(y);
                }
                y = next;
            }
            if (tower.split().isEmpty()) {
                parts.add(y);
            } else {
                for (Block block : tower.split()) {
                    parts.add(block.forward(ps, new NDList(y), training).singletonOrThrow());
                }
                if (y != x) {
                    consumed.add(y);
                }
            }
        }
        NDArray out = NDArrays.concat(parts, 1);
        if (!training) {
            consumed.forEach(NDArray::close);
            parts.stream().filter(p -> p != x).forEach(NDArray::close);
        }
        return new NDList(out);
    }

    /** Each tower's chain, then its split layers, all outputs concatenated on channels. */
    @Override
    public String exportOnnx(OnnxGraph graph, String input) {
        List<String> parts = new ArrayList<>();
        for (Tower tower : towers) {
            String y = input;
            for (Block block : tower.chain()) {
                y = graph.apply(block, y);
            }
            if (tower.split().isEmpty()) {
                parts.add(y);
            }
            for (Block block : tower.split()) {
                parts.add(graph.apply(block, y));
            }
        }
        return graph.node("Concat", parts.toArray(String[]::new)).integer("axis", 1).output();
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape in = inputShapes[0];
        long channels = 0;
        Shape last = in;
        for (Tower tower : towers) {
            Shape y = in;
            for (Block block : tower.chain()) {
                y = block.getOutputShapes(new Shape[] {y})[0];
            }
            if (tower.split().isEmpty()) {
                channels += y.get(1);
                last = y;
            } else {
                for (Block block : tower.split()) {
                    last = block.getOutputShapes(new Shape[] {y})[0];
                    channels += last.get(1);
                }
            }
        }
        return new Shape[] {new Shape(in.get(0), channels, last.get(2), last.get(3))};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputs) {
        for (Tower tower : towers) {
            Shape y = inputs[0];
            for (Block block : tower.chain()) {
                block.initialize(manager, dataType, y);
                y = block.getOutputShapes(new Shape[] {y})[0];
            }
            for (Block block : tower.split()) {
                block.initialize(manager, dataType, y);
            }
        }
    }

    @Override
    public long macs(Shape input) {
        long total = 0;
        for (Tower tower : towers) {
            Shape y = input;
            for (Block block : tower.chain()) {
                total += Macs.of(block, y);
                y = block.getOutputShapes(new Shape[] {y})[0];
            }
            for (Block block : tower.split()) {
                total += Macs.of(block, y);
            }
        }
        return total;
    }

    /** Towers in concatenation order. */
    public static class Builder {
        private final List<List<Layer>[]> towers = new ArrayList<>();

        /** A tower: layers applied in order. */
        public Builder tower(Layer... chain) {
            return tower(List.of(chain));
        }

        /** A tower whose last output feeds {@code split} layers in parallel, each concatenated. */
        @SuppressWarnings("unchecked")
        public Builder tower(List<Layer> chain, Layer... split) {
            if (chain.isEmpty()) {
                throw new IllegalArgumentException("A tower needs at least one layer");
            }
            towers.add(new List[] {List.copyOf(chain), List.of(split)});
            return this;
        }

        public TowerCell build() {
            if (towers.isEmpty()) {
                throw new IllegalArgumentException("A cell needs at least one tower");
            }
            return new TowerCell(this);
        }
    }
}
