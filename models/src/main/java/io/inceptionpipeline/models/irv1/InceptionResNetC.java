package io.inceptionpipeline.models.irv1;

import static io.inceptionpipeline.models.layers.Layers.conv;
import static io.inceptionpipeline.models.layers.Layers.seq;

import io.inceptionpipeline.models.layers.ResidualCell;

/**
 * Inception-ResNet-C of Inception-ResNet-v1 (facenet's {@code Block8}), paper figure 13: 8×8×1792,
 * branches 1×1 192 ‖ 1×1 192 → 1×3 192 → 3×1 192, projected back to 1792. The last one of the
 * network has scale 1.0 and no ReLU.
 */
public final class InceptionResNetC extends ResidualCell {

    public InceptionResNetC(float scale, boolean relu) {
        super(scale, relu, 1792, conv(192, 1), seq(conv(192, 1), conv(192, 1, 3), conv(192, 3, 1)));
    }
}
