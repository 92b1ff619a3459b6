package io.inceptionpipeline.models.irv1;

import static io.inceptionpipeline.models.layers.Layers.conv;
import static io.inceptionpipeline.models.layers.Layers.maxPool;
import static io.inceptionpipeline.models.layers.Layers.seq;

import io.inceptionpipeline.models.layers.BranchCell;

/**
 * Reduction-B of Inception-ResNet-v1 (facenet's {@code Mixed_7a}), paper figure 12: 17×17×896 →
 * 8×8×1792, branches 1×1 256 → 3×3 384 stride 2 ‖ 1×1 256 → 3×3 256 stride 2 ‖ 1×1 256 → 3×3 256 →
 * 3×3 256 stride 2 ‖ 3×3 max pool stride 2.
 */
public final class ReductionB extends BranchCell {

    public ReductionB() {
        super(
                seq(conv(256, 1), conv(384, 3, 2, 0)),
                seq(conv(256, 1), conv(256, 3, 2, 0)),
                seq(conv(256, 1), conv(256, 3, 1, 1), conv(256, 3, 2, 0)),
                maxPool(3, 2));
    }
}
