package io.inceptionpipeline.models.v4;

import static io.inceptionpipeline.models.layers.Layers.avgPoolExcludingPadding;
import static io.inceptionpipeline.models.layers.Layers.conv;
import static io.inceptionpipeline.models.layers.Layers.seq;

import io.inceptionpipeline.models.layers.BranchCell;

/** Inception-A of Inception-v4 (paper figure 4), 35×35×384. */
public final class InceptionA extends BranchCell {

    InceptionA() {
        super(
                conv(96, 1),
                seq(conv(64, 1), conv(96, 3, 1, 1)),
                seq(conv(64, 1), conv(96, 3, 1, 1), conv(96, 3, 1, 1)),
                seq(avgPoolExcludingPadding(3, 1, 1), conv(96, 1)));
    }
}
