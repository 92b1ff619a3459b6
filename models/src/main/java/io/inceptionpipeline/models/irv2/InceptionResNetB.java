package io.inceptionpipeline.models.irv2;

import static io.inceptionpipeline.models.layers.Layers.conv;
import static io.inceptionpipeline.models.layers.Layers.seq;

import io.inceptionpipeline.models.layers.ResidualCell;

/** Inception-ResNet-B (TF/timm {@code Block17}), 17×17×1088, paper figure 17. */
public final class InceptionResNetB extends ResidualCell {

    InceptionResNetB(float scale) {
        super(scale, true, 1088, conv(192, 1), seq(conv(128, 1), conv(160, 1, 7), conv(192, 7, 1)));
    }
}
