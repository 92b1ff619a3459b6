package io.inceptionpipeline.models.bninception;

import static io.inceptionpipeline.models.layers.Layers.caffeConv;
import static io.inceptionpipeline.models.layers.Layers.maxPoolCeil;

import io.inceptionpipeline.models.PooledClassifier;
import io.inceptionpipeline.models.bninception.InceptionModule.Pool;
import io.inceptionpipeline.models.layers.Features;

/**
 * BN-Inception, "Inception-v2" (Ioffe and Szegedy, "Batch Normalization", 2015, appendix figure 5),
 * as Cadene's {@code pretrainedmodels} ported the Caffe release that users hold. It differs from
 * the paper's table where the weights do, and follows the weights: module 5b pools by max, not
 * average; every convolution has a bias before its BatchNorm (epsilon 1e-5); pools round up as
 * Caffe's did. The network reads BGR pixels in 0..255 minus the mean (104, 117, 128), which the
 * spec states.
 */
public final class BNInception extends PooledClassifier {

    public static final int NUM_FEATURES = 1024;

    private BNInception(int numClasses) {
        super(features(), NUM_FEATURES, numClasses, "last_linear");
    }

    public static BNInception create(int numClasses) {
        return new BNInception(numClasses);
    }

    private static Features features() {
        Features f = new Features();
        f.add("conv1_7x7_s2", caffeConv("conv1_7x7_s2", 64, 7, 2, 3)); //         112×112×64
        f.add("pool1_3x3_s2", maxPoolCeil(3, 2, 0)); //                           56×56×64
        f.add("conv2_3x3_reduce", caffeConv("conv2_3x3_reduce", 64, 1, 1, 0));
        f.add("conv2_3x3", caffeConv("conv2_3x3", 192, 3, 1, 1)); //              56×56×192
        f.add("pool2_3x3_s2", maxPoolCeil(3, 2, 0)); //                           28×28×192
        f.add("3a", new InceptionModule("3a", 64, 64, 64, 64, 96, Pool.AVERAGE, 32)); // 28×28×256
        f.add("3b", new InceptionModule("3b", 64, 64, 96, 64, 96, Pool.AVERAGE, 64)); // 28×28×320
        f.add("3c", new ReductionModule("3c", 128, 160, 64, 96)); //              14×14×576
        f.add("4a", new InceptionModule("4a", 224, 64, 96, 96, 128, Pool.AVERAGE, 128));
        f.add("4b", new InceptionModule("4b", 192, 96, 128, 96, 128, Pool.AVERAGE, 128));
        f.add("4c", new InceptionModule("4c", 160, 128, 160, 128, 160, Pool.AVERAGE, 128));
        f.add("4d", new InceptionModule("4d", 96, 128, 192, 160, 192, Pool.AVERAGE, 128)); // 608
        f.add("4e", new ReductionModule("4e", 128, 192, 192, 256)); //            7×7×1056
        f.add("5a", new InceptionModule("5a", 352, 192, 320, 160, 224, Pool.AVERAGE, 128)); // 1024
        f.add("5b", new InceptionModule("5b", 352, 192, 320, 192, 224, Pool.MAX, 128)); // 7×7×1024
        return f;
    }
}
