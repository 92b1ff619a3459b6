package io.inceptionpipeline.models.v4;

import static io.inceptionpipeline.models.layers.Layers.avgPoolExcludingPadding;
import static io.inceptionpipeline.models.layers.Layers.conv;
import static io.inceptionpipeline.models.layers.Layers.seq;

import io.inceptionpipeline.models.layers.BranchCell;

/** Inception-B of Inception-v4 (paper figure 5), 17×17×1024, with factorized 7×7 towers. */
public final class InceptionB extends BranchCell {

    InceptionB() {
        super(
                conv(384, 1),
                seq(conv(192, 1), conv(224, 1, 7), conv(256, 7, 1)),
                seq(
                        conv(192, 1),
                        conv(192, 7, 1),
                        conv(224, 1, 7),
                        conv(224, 7, 1),
                        conv(256, 1, 7)),
                seq(avgPoolExcludingPadding(3, 1, 1), conv(128, 1)));
    }
}
