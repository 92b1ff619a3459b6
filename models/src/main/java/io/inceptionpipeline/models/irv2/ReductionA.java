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

    /**
     * The paper's filter counts k, l, m, n (IRv2: 256, 256, 384, 384); {@code padding} 0 as
     * released ("V"), 1 to halve an even size exactly.
     */
    public ReductionA(int k, int l, int m, int n, int padding) {
        super(
                conv(n, 3, 2, padding),
                seq(conv(k, 1), conv(l, 3, 1, 1), conv(m, 3, 2, padding)),
                maxPool(3, 2, padding));
    }
}
