package io.inceptionpipeline.models.v3;

import static io.inceptionpipeline.models.layers.Layers.conv;
import static io.inceptionpipeline.models.layers.Layers.maxPool;

import io.inceptionpipeline.models.PooledClassifier;
import io.inceptionpipeline.models.layers.Features;
import java.util.List;

/**
 * Inception-v3 (Szegedy et al., "Rethinking the Inception Architecture for Computer Vision", 2015)
 * as torchvision and timm define it ({@code inception_v3}, the same names), for inference: no
 * auxiliary classifier (a training device; its tensors in a checkpoint are skipped on import).
 */
public final class InceptionV3 extends PooledClassifier {

    public static final int NUM_FEATURES = 2048;

    private InceptionV3(int numClasses) {
        super(features(), NUM_FEATURES, numClasses, "fc");
    }

    public static InceptionV3 create(int numClasses) {
        return new InceptionV3(numClasses);
    }

    /** torchvision's and timm's checkpoints carry the auxiliary classifier. */
    @Override
    public List<String> trainingOnlyPrefixes() {
        return List.of("AuxLogits.");
    }

    private static Features features() {
        Features f = new Features();
        f.add("Conv2d_1a_3x3", conv(32, 3, 2, 0)); //          149×149×32
        f.add("Conv2d_2a_3x3", conv(32, 3)); //                147×147×32
        f.add("Conv2d_2b_3x3", conv(64, 3, 1, 1)); //          147×147×64
        f.add("Pool1", maxPool(3, 2)); //                      73×73×64
        f.add("Conv2d_3b_1x1", conv(80, 1)); //                73×73×80
        f.add("Conv2d_4a_3x3", conv(192, 3)); //               71×71×192
        f.add("Pool2", maxPool(3, 2)); //                      35×35×192
        f.add("Mixed_5b", new InceptionV3Cells.InceptionA(32)); // 35×35×256
        f.add("Mixed_5c", new InceptionV3Cells.InceptionA(64)); // 35×35×288
        f.add("Mixed_5d", new InceptionV3Cells.InceptionA(64));
        f.add("Mixed_6a", new InceptionV3Cells.InceptionB()); //   17×17×768
        f.add("Mixed_6b", new InceptionV3Cells.InceptionC(128));
        f.add("Mixed_6c", new InceptionV3Cells.InceptionC(160));
        f.add("Mixed_6d", new InceptionV3Cells.InceptionC(160));
        f.add("Mixed_6e", new InceptionV3Cells.InceptionC(192));
        f.add("Mixed_7a", new InceptionV3Cells.InceptionD()); //   8×8×1280
        f.add("Mixed_7b", new InceptionV3Cells.InceptionE()); //   8×8×2048
        f.add("Mixed_7c", new InceptionV3Cells.InceptionE());
        return f;
    }
}
