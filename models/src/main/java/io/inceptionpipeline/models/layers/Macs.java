package io.inceptionpipeline.models.layers;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.convolutional.Convolution;
import ai.djl.nn.core.Linear;

/**
 * Multiply-accumulates of one forward pass, counting convolutions and linear layers (the convention
 * of timm's and the papers' GMAC figures; pooling, BatchNorm and activations are left out). Blocks
 * must be initialized.
 */
public final class Macs {

    /** A composite block that knows how its children are wired. */
    public interface Counted {
        /** MACs of this block for an input of shape {@code input}. */
        long macs(Shape input);
    }

    private Macs() {}

    /** MACs of {@code block} for an input of shape {@code input}. */
    public static long of(Block block, Shape input) {
        if (block instanceof Counted counted) {
            return counted.macs(input);
        }
        if (block instanceof Convolution || block instanceof Linear) {
            Shape out = block.getOutputShapes(new Shape[] {input})[0];
            Shape weight = block.getParameters().get("weight").getArray().getShape();
            return out.size() * (weight.size() / weight.get(0));
        }
        if (!block.getChildren().isEmpty()) {
            throw new IllegalArgumentException(
                    "Cannot count MACs of "
                            + block.getClass().getSimpleName()
                            + ": a composite block must implement Macs.Counted");
        }
        return 0; // pooling, activation, BatchNorm
    }
}
