package io.inceptionpipeline.models.bninception;

import static io.inceptionpipeline.models.layers.Layers.caffeConv;
import static io.inceptionpipeline.models.layers.Layers.maxPoolCeil;

import io.inceptionpipeline.models.layers.FlatNames;
import io.inceptionpipeline.models.layers.TowerCell;

/**
 * The stride-2 Inception module of BN-Inception (modules 3c and 4e of the paper's table): 1×1 → 3×3
 * stride 2 ‖ 1×1 → 3×3 → 3×3 stride 2 ‖ 3×3 max pool stride 2 ("pass through"), halving the grid
 * while the channels grow. No 1×1 tower and no pool projection.
 */
final class ReductionModule extends TowerCell implements FlatNames {

    ReductionModule(String name, int c3x3reduce, int c3x3, int double3x3reduce, int double3x3) {
        super(towers("inception_" + name + "_", c3x3reduce, c3x3, double3x3reduce, double3x3));
    }

    private static Builder towers(
            String p, int c3x3reduce, int c3x3, int double3x3reduce, int double3x3) {
        return TowerCell.builder()
                .tower(
                        layer(p + "3x3_reduce", caffeConv(p + "3x3_reduce", c3x3reduce, 1, 1, 0)),
                        layer(p + "3x3", caffeConv(p + "3x3", c3x3, 3, 2, 1)))
                .tower(
                        layer(
                                p + "double_3x3_reduce",
                                caffeConv(p + "double_3x3_reduce", double3x3reduce, 1, 1, 0)),
                        layer(
                                p + "double_3x3_1",
                                caffeConv(p + "double_3x3_1", double3x3, 3, 1, 1)),
                        layer(
                                p + "double_3x3_2",
                                caffeConv(p + "double_3x3_2", double3x3, 3, 2, 1)))
                .tower(layer(p + "pool", maxPoolCeil(3, 2, 0)));
    }
}
