package io.inceptionpipeline.models.irv2;

import static io.inceptionpipeline.models.layers.Layers.conv;
import static io.inceptionpipeline.models.layers.Layers.seq;

import io.inceptionpipeline.models.layers.ResidualCell;

/**
 * Inception-ResNet-C (TF/timm {@code Block8}), 8×8×2080, paper figure 19. The last one of the
 * released model has scale 1.0 and no ReLU.
 */
public final class InceptionResNetC extends ResidualCell {

    InceptionResNetC(float scale, boolean relu) {
        super(scale, relu, 2080, conv(192, 1), seq(conv(192, 1), conv(224, 1, 3), conv(256, 3, 1)));
    }
}
