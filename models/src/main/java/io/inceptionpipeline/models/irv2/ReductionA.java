package io.inceptionpipeline.models.irv2;

import static io.inceptionpipeline.models.layers.Layers.conv;
import static io.inceptionpipeline.models.layers.Layers.maxPool;
import static io.inceptionpipeline.models.layers.Layers.seq;

import io.inceptionpipeline.models.layers.BranchCell;

/**
 * Reduction-A (TF/timm {@code Mixed_6a}), 35×35×320 → 17×17×1088, paper figure 7 with k=256, l=256,
 * m=384, n=384.
 */
public final class ReductionA extends BranchCell {

    ReductionA() {
        super(
                conv(384, 3, 2, 0),
                seq(conv(256, 1), conv(256, 3, 1, 1), conv(384, 3, 2, 0)),
                maxPool(3, 2));
    }
}
