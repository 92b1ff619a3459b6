package io.inceptionpipeline.models.irv2;

import static io.inceptionpipeline.models.layers.Layers.conv;
import static io.inceptionpipeline.models.layers.Layers.seq;

import io.inceptionpipeline.models.layers.ResidualCell;

/** Inception-ResNet-A (TF/timm {@code Block35}), 35×35×320, paper figure 16. */
public final class InceptionResNetA extends ResidualCell {

    InceptionResNetA(float scale) {
        super(
                scale,
                true,
                320,
                conv(32, 1),
                seq(conv(32, 1), conv(32, 3, 1, 1)),
                seq(conv(32, 1), conv(48, 3, 1, 1), conv(64, 3, 1, 1)));
    }
}
