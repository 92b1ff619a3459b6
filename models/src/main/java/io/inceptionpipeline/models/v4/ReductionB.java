package io.inceptionpipeline.models.v4;

import static io.inceptionpipeline.models.layers.Layers.conv;
import static io.inceptionpipeline.models.layers.Layers.maxPool;
import static io.inceptionpipeline.models.layers.Layers.seq;

import io.inceptionpipeline.models.layers.BranchCell;

/** Reduction-B of Inception-v4 (paper figure 8), 17×17×1024 → 8×8×1536. */
public final class ReductionB extends BranchCell {

    ReductionB() {
        super(
                seq(conv(192, 1), conv(192, 3, 2, 0)),
                seq(conv(256, 1), conv(256, 1, 7), conv(320, 7, 1), conv(320, 3, 2, 0)),
                maxPool(3, 2));
    }
}
