package io.inceptionpipeline.models.v4;

import static io.inceptionpipeline.models.layers.Layers.conv;
import static io.inceptionpipeline.models.layers.Layers.maxPool;
import static io.inceptionpipeline.models.layers.Layers.seq;

import io.inceptionpipeline.models.layers.BranchCell;
import io.inceptionpipeline.models.layers.FlatNames;
import io.inceptionpipeline.models.layers.Sequential;

/**
 * The Inception-v4 stem (paper figure 3), 299×299×3 → 35×35×384: three convolutions, then Mixed_3a
 * (max pool ‖ 3×3 conv), Mixed_4a (two towers, one with 7×1/1×7) and Mixed_5a (3×3 conv ‖ max
 * pool). In timm these are {@code features.0} to {@code features.5}.
 */
public final class Stem extends Sequential implements FlatNames {

    Stem() {
        add("0", conv(32, 3, 2, 0)); //                        149×149×32
        add("1", conv(32, 3)); //                              147×147×32
        add("2", conv(64, 3, 1, 1)); //                        147×147×64
        add("3", BranchCell.of("maxpool", maxPool(3, 2), "conv", conv(96, 3, 2, 0))); // 73×73×160
        add("4", new Mixed4a()); //                            71×71×192
        add("5", BranchCell.of("conv", conv(192, 3, 2, 0), "maxpool", maxPool(3, 2))); // 35×35×384
    }

    /** Mixed_4a: 1×1 → 3×3 ‖ 1×1 → 1×7 → 7×1 → 3×3, both 96 wide and unpadded. */
    static final class Mixed4a extends BranchCell {
        Mixed4a() {
            super(
                    seq(conv(64, 1), conv(96, 3)),
                    seq(conv(64, 1), conv(64, 1, 7), conv(64, 7, 1), conv(96, 3)));
        }
    }
}
