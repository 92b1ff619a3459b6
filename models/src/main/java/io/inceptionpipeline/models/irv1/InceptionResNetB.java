package io.inceptionpipeline.models.irv1;

import static io.inceptionpipeline.models.layers.Layers.conv;
import static io.inceptionpipeline.models.layers.Layers.seq;

import io.inceptionpipeline.models.layers.ResidualCell;

/**
 * Inception-ResNet-B of Inception-ResNet-v1 (facenet's {@code Block17}), paper figure 11:
 * 17×17×896, branches 1×1 128 ‖ 1×1 128 → 1×7 128 → 7×1 128, projected back to 896.
 */
public final class InceptionResNetB extends ResidualCell {

    public InceptionResNetB(float scale) {
        super(scale, true, 896, conv(128, 1), seq(conv(128, 1), conv(128, 1, 7), conv(128, 7, 1)));
    }
}
