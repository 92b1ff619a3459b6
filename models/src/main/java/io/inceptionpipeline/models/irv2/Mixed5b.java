package io.inceptionpipeline.models.irv2;

import static io.inceptionpipeline.models.layers.Layers.avgPoolExcludingPadding;
import static io.inceptionpipeline.models.layers.Layers.conv;
import static io.inceptionpipeline.models.layers.Layers.seq;

import io.inceptionpipeline.models.layers.BranchCell;

/**
 * Mixed_5b: the Inception cell that ends the released model's stem, 35×35×192 → 35×35×320. (The
 * paper's figure 3 shows the Inception-v4 stem instead; the released weights use this cell.)
 */
public final class Mixed5b extends BranchCell {

    Mixed5b() {
        super(
                conv(96, 1),
                seq(conv(48, 1), conv(64, 5, 1, 2)),
                seq(conv(64, 1), conv(96, 3, 1, 1), conv(96, 3, 1, 1)),
                seq(avgPoolExcludingPadding(3, 1, 1), conv(64, 1)));
    }
}
