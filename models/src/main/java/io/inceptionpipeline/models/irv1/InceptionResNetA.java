package io.inceptionpipeline.models.irv1;

import static io.inceptionpipeline.models.layers.Layers.conv;
import static io.inceptionpipeline.models.layers.Layers.seq;

import io.inceptionpipeline.models.layers.ResidualCell;

/**
 * Inception-ResNet-A of Inception-ResNet-v1 (facenet's {@code Block35}), paper figure 10:
 * 35×35×256, branches 1×1 32 ‖ 1×1 32 → 3×3 32 ‖ 1×1 32 → 3×3 32 → 3×3 32, projected back to 256.
 */
public final class InceptionResNetA extends ResidualCell {

    public InceptionResNetA(float scale) {
        super(
                scale,
                true,
                256,
                conv(32, 1),
                seq(conv(32, 1), conv(32, 3, 1, 1)),
                seq(conv(32, 1), conv(32, 3, 1, 1), conv(32, 3, 1, 1)));
    }
}
