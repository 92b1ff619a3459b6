package io.inceptionpipeline.models.googlenet;

import static io.inceptionpipeline.models.layers.Layers.conv;
import static io.inceptionpipeline.models.layers.Layers.maxPoolCeil;
import static io.inceptionpipeline.models.layers.Layers.seq;

import io.inceptionpipeline.models.layers.BranchCell;

/**
 * The Inception module of GoogLeNet (Szegedy et al., "Going Deeper with Convolutions", 2014, figure
 * 2b and table 1): 1×1 ‖ 1×1 → 3×3 ‖ 1×1 → "5×5" ‖ 3×3 max pool → 1×1. As in torchvision, whose
 * weights everyone uses, the "5×5" tower is a 3×3 convolution and every convolution has BatchNorm.
 */
public final class Inception extends BranchCell {

    Inception(int ch1x1, int ch3x3red, int ch3x3, int ch5x5red, int ch5x5, int poolProj) {
        super(
                1,
                conv(ch1x1, 1),
                seq(conv(ch3x3red, 1), conv(ch3x3, 3, 1, 1)),
                seq(conv(ch5x5red, 1), conv(ch5x5, 3, 1, 1)),
                seq(maxPoolCeil(3, 1, 1), conv(poolProj, 1)));
    }
}
