package io.inceptionpipeline.models.irv2;

import static io.inceptionpipeline.models.layers.Layers.conv;
import static io.inceptionpipeline.models.layers.Layers.maxPool;
import static io.inceptionpipeline.models.layers.Layers.seq;

import io.inceptionpipeline.models.layers.BranchCell;

/** Reduction-B (TF/timm {@code Mixed_7a}), 17×17×1088 → 8×8×2080, paper figure 18. */
public final class ReductionB extends BranchCell {

    ReductionB() {
        super(
                seq(conv(256, 1), conv(384, 3, 2, 0)),
                seq(conv(256, 1), conv(288, 3, 2, 0)),
                seq(conv(256, 1), conv(288, 3, 1, 1), conv(320, 3, 2, 0)),
                maxPool(3, 2));
    }
}
