package io.inceptionpipeline.models.irv2;

import static io.inceptionpipeline.models.layers.Layers.conv;
import static io.inceptionpipeline.models.layers.Layers.maxPool;
import static io.inceptionpipeline.models.layers.Layers.seq;

import io.inceptionpipeline.models.layers.BranchCell;

/**
 * Reduction-B (TF/timm {@code Mixed_7a}), paper figure 18: in IRv2 17×17×1088 → 8×8×2080 with
 * {@code w = 32} (branches 256 → 384, 256 → 288, 256 → 288 → 320, and max pooling).
 */
public final class ReductionB extends BranchCell {

    /** Width unit {@code w}; {@code padding} 0 as released, 1 to halve an even size exactly. */
    public ReductionB(int w, int padding) {
        super(
                seq(conv(8 * w, 1), conv(12 * w, 3, 2, padding)),
                seq(conv(8 * w, 1), conv(9 * w, 3, 2, padding)),
                seq(conv(8 * w, 1), conv(9 * w, 3, 1, 1), conv(10 * w, 3, 2, padding)),
                maxPool(3, 2, padding));
    }
}
