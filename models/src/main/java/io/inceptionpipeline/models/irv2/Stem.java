package io.inceptionpipeline.models.irv2;

import static io.inceptionpipeline.models.layers.Layers.conv;
import static io.inceptionpipeline.models.layers.Layers.maxPool;

import io.inceptionpipeline.models.layers.FlatNames;
import io.inceptionpipeline.models.layers.Sequential;

/**
 * The stem of the released Inception-ResNet-v2, 299×299×3 → 35×35×192 (the TF-slim layers {@code
 * Conv2d_1a_3x3} to {@code MaxPool_5a_3x3}). Its layers sit at the top level of timm's state dict
 * ({@code conv2d_1a}, ...), so this block adds no name of its own.
 */
public final class Stem extends Sequential implements FlatNames {

    Stem() {
        add("conv2d_1a", conv(32, 3, 2, 0)); //    149×149×32
        add("conv2d_2a", conv(32, 3)); //          147×147×32
        add("conv2d_2b", conv(64, 3, 1, 1)); //    147×147×64
        add("maxpool_3a", maxPool(3, 2)); //        73×73×64
        add("conv2d_3b", conv(80, 1)); //           73×73×80
        add("conv2d_4a", conv(192, 3)); //          71×71×192
        add("maxpool_5a", maxPool(3, 2)); //        35×35×192
    }
}
