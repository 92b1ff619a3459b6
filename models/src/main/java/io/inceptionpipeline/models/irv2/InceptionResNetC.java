package io.inceptionpipeline.models.irv2;

import static io.inceptionpipeline.models.layers.Layers.conv;
import static io.inceptionpipeline.models.layers.Layers.seq;

import io.inceptionpipeline.models.layers.ResidualCell;

/**
 * Inception-ResNet-C (TF/timm {@code Block8}), 8×8×2080, paper figure 19. The last one of the
 * released model has scale 1.0 and no ReLU.
 */
public final class InceptionResNetC extends ResidualCell {

    /**
     * @param scale residual scale (IRv2: 0.20, the last one 1.0)
     * @param relu whether the cell ends with ReLU (not the last one of IRv2)
     * @param channels input and output channels (IRv2: 2080)
     * @param w width unit (IRv2: 32); branches are 6w, and 6w → 7w → 8w
     */
    public InceptionResNetC(float scale, boolean relu, int channels, int w) {
        super(
                scale,
                relu,
                channels,
                conv(6 * w, 1),
                seq(conv(6 * w, 1), conv(7 * w, 1, 3), conv(8 * w, 3, 1)));
    }
}
