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
 * An Inception cell: parallel branches over the same input, concatenated on the channel axis. The
 * branches are named {@code branch0}, {@code branch1}, ... as in timm and TF-slim.
 */
public class BranchCell extends AbstractBlock implements Macs.Counted, OnnxExportable {

    private final List<Block> branches = new ArrayList<>();

    protected BranchCell(Block... branches) {
        for (Block branch : branches) {
            this.branches.add(addChildBlock("branch" + this.branches.size(), branch));
        }
    }

    /**
     * Branches named {@code branch<first>}, {@code branch<first+1>}, ... (torchvision counts from
     * 1).
     */
    protected BranchCell(int first, Block... branches) {
        for (Block branch : branches) {
            this.branches.add(addChildBlock("branch" + (first + this.branches.size()), branch));
        }
    }

    /** Branches under the reference's own names, in concatenation order. */
    protected BranchCell(List<String> names, List<Block> branches) {
        if (names.size() != branches.size()) {
            throw new IllegalArgumentException(
                    names.size() + " names for " + branches.size() + " branches");
        }
        for (int i = 0; i < names.size(); i++) {
            this.branches.add(addChildBlock(names.get(i), branches.get(i)));
        }
    }

    /**
     * A cell of two named branches, such as Inception-v4's Mixed_3a ({@code maxpool}, {@code
     * conv}).
     */
    public static BranchCell of(String firstName, Block first, String secondName, Block second) {
        return new BranchCell(List.of(firstName, secondName), List.of(first, second));
    }

    /** Runs every branch on {@code x} and concatenates the results along channels. */
    protected final NDArray concatBranches(ParameterStore ps, NDArray x, boolean training) {
        NDList outputs = new NDList(branches.size());
        for (Block branch : branches) {
            outputs.add(branch.forward(ps, new NDList(x), training).singletonOrThrow());
        }
        NDArray concatenated = NDArrays.concat(outputs, 1);
        Intermediates.release(training, outputs, new NDList(x));
        return concatenated;
    }

    /**
     * Every branch on {@code input}, concatenated on channels: the ONNX of {@link #concatBranches}.
     */
    protected final String concatBranches(OnnxGraph graph, String input) {
        String[] outputs = new String[branches.size()];
        for (int i = 0; i < outputs.length; i++) {
            outputs[i] = graph.apply(branches.get(i), input);
        }
        return graph.node("Concat", outputs).integer("axis", 1).output();
    }

    @Override
    public String exportOnnx(OnnxGraph graph, String input) {
        return concatBranches(graph, input);
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        return new NDList(concatBranches(ps, inputs.singletonOrThrow(), training));
    }

    /** Shape of the concatenated branches for an input of shape {@code input}. */
    protected final Shape concatShape(Shape input) {
        long channels = 0;
        Shape first = null;
        for (Block branch : branches) {
            Shape out = branch.getOutputShapes(new Shape[] {input})[0];
            if (first == null) {
                first = out;
            } else if (out.get(2) != first.get(2) || out.get(3) != first.get(3)) {
                throw new IllegalStateException(
                        getClass().getSimpleName()
                                + ": branches disagree on spatial size: "
                                + first
                                + " vs "
                                + out);
            }
            channels += out.get(1);
        }
        return new Shape(input.get(0), channels, first.get(2), first.get(3));
    }

    @Override
    public long macs(Shape input) {
        long total = 0;
        for (Block branch : branches) {
            total += Macs.of(branch, input);
        }
        return total;
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {concatShape(inputShapes[0])};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputs) {
        for (Block branch : branches) {
            branch.initialize(manager, dataType, inputs);
        }
    }
}
