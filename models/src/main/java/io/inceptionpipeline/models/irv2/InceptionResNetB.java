package io.inceptionpipeline.models.irv2;

import static io.inceptionpipeline.models.layers.Layers.conv;
import static io.inceptionpipeline.models.layers.Layers.seq;

import io.inceptionpipeline.models.layers.ResidualCell;

/**
 * Inception-ResNet-B (TF/timm {@code Block17}), paper figure 17: in IRv2 17×17×1088 with {@code w =
 * 32} (branches 192 and 128 → 1×7 160 → 7×1 192).
 */
public final class InceptionResNetB extends ResidualCell {

    /**
     * @param scale residual scale (IRv2: 0.10)
     * @param channels input and output channels (IRv2: 1088)
     * @param w width unit; branches are 6w, and 4w → 5w → 6w
     */
    public InceptionResNetB(float scale, int channels, int w) {
        super(
                scale,
                true,
                channels,
                conv(6 * w, 1),
                seq(conv(4 * w, 1), conv(5 * w, 1, 7), conv(6 * w, 7, 1)));
    }
}
