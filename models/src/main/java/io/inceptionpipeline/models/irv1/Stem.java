package io.inceptionpipeline.models.irv1;

import static io.inceptionpipeline.models.layers.Layers.conv;
import static io.inceptionpipeline.models.layers.Layers.maxPool;

import io.inceptionpipeline.models.layers.FlatNames;
import io.inceptionpipeline.models.layers.Sequential;

/**
 * The stem of Inception-ResNet-v1, paper figure 14: 299×299×3 → 35×35×256 (160×160 faces →
 * 17×17×256). Its layers sit at the top level of facenet's state dict, so it adds no name.
 */
final class Stem extends Sequential implements FlatNames {

    Stem() {
        add("conv2d_1a", conv(32, 3, 2, 0)); //    149×149×32
        add("conv2d_2a", conv(32, 3)); //          147×147×32
        add("conv2d_2b", conv(64, 3, 1, 1)); //    147×147×64
        add("maxpool_3a", maxPool(3, 2)); //        73×73×64
        add("conv2d_3b", conv(80, 1)); //           73×73×80
        add("conv2d_4a", conv(192, 3)); //          71×71×192
        add("conv2d_4b", conv(256, 3, 2, 0)); //    35×35×256
    }
}
