package io.inceptionpipeline.models.bninception;

import static io.inceptionpipeline.models.layers.Layers.avgPool;
import static io.inceptionpipeline.models.layers.Layers.caffeConv;
import static io.inceptionpipeline.models.layers.Layers.maxPoolCeil;

import io.inceptionpipeline.models.layers.FlatNames;
import io.inceptionpipeline.models.layers.TowerCell;

/**
 * The Inception module of BN-Inception (Ioffe and Szegedy, "Batch Normalization", 2015, appendix
 * figure 5): 1×1 ‖ 1×1 → 3×3 ‖ 1×1 → 3×3 → 3×3 (the "double 3×3" that replaced GoogLeNet's 5×5) ‖
 * 3×3 pool → 1×1 projection. Layers are named as Cadene's Caffe port names them, flat in the
 * network: {@code inception_3a_1x1}, {@code inception_3a_double_3x3_1_bn}, ...
 */
final class InceptionModule extends TowerCell implements FlatNames {

    /** The pool of the fourth tower: average (counting padding) in every module but 5b. */
    enum Pool {
        AVERAGE,
        MAX
    }

    /**
     * @param name the module, e.g. {@code 3a}
     * @param c1x1 #1×1
     * @param c3x3reduce #3×3 reduce
     * @param c3x3 #3×3
     * @param double3x3reduce double #3×3 reduce
     * @param double3x3 double #3×3
     * @param pool pool of the projection tower
     * @param poolProj pool projection
     */
    InceptionModule(
            String name,
            int c1x1,
            int c3x3reduce,
            int c3x3,
            int double3x3reduce,
            int double3x3,
            Pool pool,
            int poolProj) {
        super(
                towers(
                        "inception_" + name + "_",
                        c1x1,
                        c3x3reduce,
                        c3x3,
                        double3x3reduce,
                        double3x3,
                        pool,
                        poolProj));
    }

    private static Builder towers(
            String p,
            int c1x1,
            int c3x3reduce,
            int c3x3,
            int double3x3reduce,
            int double3x3,
            Pool pool,
            int poolProj) {
        return TowerCell.builder()
                .tower(layer(p + "1x1", caffeConv(p + "1x1", c1x1, 1, 1, 0)))
                .tower(
                        layer(p + "3x3_reduce", caffeConv(p + "3x3_reduce", c3x3reduce, 1, 1, 0)),
                        layer(p + "3x3", caffeConv(p + "3x3", c3x3, 3, 1, 1)))
                .tower(
                        layer(
                                p + "double_3x3_reduce",
                                caffeConv(p + "double_3x3_reduce", double3x3reduce, 1, 1, 0)),
                        layer(
                                p + "double_3x3_1",
                                caffeConv(p + "double_3x3_1", double3x3, 3, 1, 1)),
                        layer(
                                p + "double_3x3_2",
                                caffeConv(p + "double_3x3_2", double3x3, 3, 1, 1)))
                .tower(
                        layer(
                                p + "pool",
                                pool == Pool.AVERAGE ? avgPool(3, 1, 1) : maxPoolCeil(3, 1, 1)),
                        layer(p + "pool_proj", caffeConv(p + "pool_proj", poolProj, 1, 1, 0)));
    }
}
