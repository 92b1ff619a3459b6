package io.inceptionpipeline.models.v4;

import static io.inceptionpipeline.models.layers.Layers.avgPoolExcludingPadding;
import static io.inceptionpipeline.models.layers.Layers.conv;
import static io.inceptionpipeline.models.layers.Layers.seq;
import static io.inceptionpipeline.models.layers.TowerCell.layer;

import io.inceptionpipeline.models.layers.TowerCell;
import java.util.List;

/**
 * Inception-C of Inception-v4 (paper figure 6), 8×8×1536. Two towers end in a 1×3 and a 3×1
 * convolution side by side ("expanded filter banks"); names follow timm ({@code branch1_0}, ...).
 */
public final class InceptionC extends TowerCell {

    InceptionC() {
        super(
                TowerCell.builder()
                        .tower(layer("branch0", conv(256, 1)))
                        .tower(
                                List.of(layer("branch1_0", conv(384, 1))),
                                layer("branch1_1a", conv(256, 1, 3)),
                                layer("branch1_1b", conv(256, 3, 1)))
                        .tower(
                                List.of(
                                        layer("branch2_0", conv(384, 1)),
                                        layer("branch2_1", conv(448, 3, 1)),
                                        layer("branch2_2", conv(512, 1, 3))),
                                layer("branch2_3a", conv(256, 1, 3)),
                                layer("branch2_3b", conv(256, 3, 1)))
                        .tower(
                                layer(
                                        "branch3",
                                        seq(avgPoolExcludingPadding(3, 1, 1), conv(256, 1)))));
    }
}
