package io.inceptionpipeline.models.irv2;

import static io.inceptionpipeline.models.layers.Layers.conv;
import static io.inceptionpipeline.models.layers.Layers.seq;

import io.inceptionpipeline.models.layers.ResidualCell;

/**
 * Inception-ResNet-A (TF/timm {@code Block35}), paper figure 16: in IRv2 35×35×320 with branch
 * width {@code w = 32}.
 */
public final class InceptionResNetA extends ResidualCell {

    /**
     * @param scale residual scale (IRv2: 0.17)
     * @param channels input and output channels (IRv2: 320)
     * @param w narrowest branch width; the others are the release's 1.5w and 2w
     */
    public InceptionResNetA(float scale, int channels, int w) {
        super(
                scale,
                true,
                channels,
                conv(w, 1),
                seq(conv(w, 1), conv(w, 3, 1, 1)),
                seq(conv(w, 1), conv(w * 3 / 2, 3, 1, 1), conv(2 * w, 3, 1, 1)));
    }
}
