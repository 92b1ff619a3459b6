package io.inceptionpipeline.models.xception;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.norm.BatchNorm;
import io.inceptionpipeline.models.PooledClassifier;
import io.inceptionpipeline.models.layers.ConvNormAct;
import io.inceptionpipeline.models.layers.Features;
import io.inceptionpipeline.models.layers.Layers;

/**
 * Xception (Chollet, "Xception: Deep Learning with Depthwise Separable Convolutions", 2017, figure
 * 5) as timm's {@code legacy_xception} defines it, the port of the Keras weights: an entry flow
 * (two convolutions and three reducing modules), a middle flow of eight 728-wide modules, an exit
 * flow (a reducing module and two separable convolutions to 2048), global pooling, {@code fc}.
 *
 * <p>Unlike the other Inception ports, its BatchNorm epsilon is PyTorch's 1e-5, not TF's 1e-3: the
 * weights were fitted with that value.
 */
public final class Xception extends PooledClassifier {

    public static final int NUM_FEATURES = 2048;

    private Xception(int numClasses) {
        super(features(), NUM_FEATURES, numClasses, "fc");
    }

    public static Xception create(int numClasses) {
        return new Xception(numClasses);
    }

    static BatchNorm batchNorm() {
        return BatchNorm.builder().optEpsilon(ConvNormAct.TORCH_BN_EPSILON).build();
    }

    private static Features features() {
        Features f = new Features();
        // entry flow                                                              299×299×3
        f.add("conv1", conv(32, 2));
        f.add("bn1", batchNorm());
        f.add("act1", Layers.relu()); //                                  149×149×32
        f.add("conv2", conv(64, 1));
        f.add("bn2", batchNorm());
        f.add("act2", Layers.relu()); //                                  147×147×64
        f.add("block1", new XceptionModule(64, 128, 2, 2, false, true)); //        74×74×128
        f.add("block2", new XceptionModule(128, 256, 2, 2, true, true)); //        37×37×256
        f.add("block3", new XceptionModule(256, 728, 2, 2, true, true)); //        19×19×728
        // middle flow, repeated eight times
        for (int i = 4; i <= 11; i++) {
            f.add("block" + i, new XceptionModule(728, 728, 3, 1, true, true));
        }
        // exit flow
        f.add("block12", new XceptionModule(728, 1024, 2, 2, true, false)); //     10×10×1024
        f.add("conv3", new SeparableConv2d(1024, 1536));
        f.add("bn3", batchNorm());
        f.add("act3", Layers.relu());
        f.add("conv4", new SeparableConv2d(1536, NUM_FEATURES));
        f.add("bn4", batchNorm());
        f.add("act4", Layers.relu()); //                                  10×10×2048
        return f;
    }

    /** A plain 3×3 convolution without padding or bias (the stem's). */
    private static Conv2d conv(int filters, int stride) {
        return Conv2d.builder()
                .setFilters(filters)
                .setKernelShape(new Shape(3, 3))
                .optStride(new Shape(stride, stride))
                .optBias(false)
                .build();
    }
}
