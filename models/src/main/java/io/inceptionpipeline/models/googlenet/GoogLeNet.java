package io.inceptionpipeline.models.googlenet;

import static io.inceptionpipeline.models.layers.Layers.conv;
import static io.inceptionpipeline.models.layers.Layers.maxPoolCeil;

import io.inceptionpipeline.models.PooledClassifier;
import io.inceptionpipeline.models.layers.Features;
import java.util.List;

/**
 * GoogLeNet / Inception-v1 (Szegedy et al., "Going Deeper with Convolutions", 2014, table 1) as
 * torchvision defines it ({@code googlenet}, with BatchNorm): for inference, without the two
 * auxiliary classifiers (training devices; their tensors {@code aux1.*}, {@code aux2.*} in a
 * checkpoint are skipped on import). torchvision's pretrained model maps ImageNet-normalized input
 * to [-1, 1] ({@code transform_input}); the spec feeds [-1, 1] directly, which is the same.
 */
public final class GoogLeNet extends PooledClassifier {

    public static final int NUM_FEATURES = 1024;

    private GoogLeNet(int numClasses) {
        super(features(), NUM_FEATURES, numClasses, "fc");
    }

    public static GoogLeNet create(int numClasses) {
        return new GoogLeNet(numClasses);
    }

    /** torchvision's checkpoints carry the two auxiliary classifiers. */
    @Override
    public List<String> trainingOnlyPrefixes() {
        return List.of("aux1.", "aux2.");
    }

    private static Features features() {
        Features f = new Features();
        f.add("conv1", conv(64, 7, 2, 3)); //                                  112×112×64
        f.add("maxpool1", maxPoolCeil(3, 2, 0)); //                           56×56×64
        f.add("conv2", conv(64, 1));
        f.add("conv3", conv(192, 3, 1, 1)); //                                56×56×192
        f.add("maxpool2", maxPoolCeil(3, 2, 0)); //                           28×28×192
        f.add("inception3a", new Inception(64, 96, 128, 16, 32, 32)); //      28×28×256
        f.add("inception3b", new Inception(128, 128, 192, 32, 96, 64)); //    28×28×480
        f.add("maxpool3", maxPoolCeil(3, 2, 0)); //                           14×14×480
        f.add("inception4a", new Inception(192, 96, 208, 16, 48, 64)); //     14×14×512
        f.add("inception4b", new Inception(160, 112, 224, 24, 64, 64));
        f.add("inception4c", new Inception(128, 128, 256, 24, 64, 64));
        f.add("inception4d", new Inception(112, 144, 288, 32, 64, 64)); //    14×14×528
        f.add("inception4e", new Inception(256, 160, 320, 32, 128, 128)); //  14×14×832
        f.add("maxpool4", maxPoolCeil(2, 2, 0)); //                           7×7×832
        f.add("inception5a", new Inception(256, 160, 320, 32, 128, 128));
        f.add("inception5b", new Inception(384, 192, 384, 48, 128, 128)); //  7×7×1024
        return f;
    }
}
