package io.inceptionpipeline.models.compact;

import static io.inceptionpipeline.models.irv2.InceptionResNetV2.repeat;
import static io.inceptionpipeline.models.layers.Layers.conv;

import io.inceptionpipeline.models.PooledClassifier;
import io.inceptionpipeline.models.irv2.InceptionResNetA;
import io.inceptionpipeline.models.irv2.InceptionResNetB;
import io.inceptionpipeline.models.irv2.InceptionResNetC;
import io.inceptionpipeline.models.irv2.ReductionA;
import io.inceptionpipeline.models.irv2.ReductionB;
import io.inceptionpipeline.models.layers.Features;
import io.inceptionpipeline.models.layers.Sequential;

/**
 * A compact Inception-ResNet for small images (28×28 Fashion-MNIST), built from
 * Inception-ResNet-v2's own cells, narrowed and shortened:
 *
 * <pre>
 * stem        3×3 conv 24, 3×3 conv 64 stride 2           28×28×3  → 14×14×64
 * repeat      2 × Inception-ResNet-A (w 16, scale 0.17)    14×14×64
 * mixed_6a    Reduction-A (k 32, l 48, m 64, n 64, pad 1)  → 7×7×192
 * repeat_1    2 × Inception-ResNet-B (w 8, scale 0.10)     7×7×192
 * mixed_7a    Reduction-B (w 8, pad 1)                     → 4×4×440
 * repeat_2    Inception-ResNet-C (w 12, scale 0.20)        4×4×440
 * block8      Inception-ResNet-C (w 12, scale 1.0, no ReLU)
 * conv2d_7b   1×1 conv 256, global average pool            → 256 (the embedding)
 * classif     linear 10
 * </pre>
 *
 * Reductions pad by 1 so that each halves an even size exactly (the 299×299 release uses none).
 */
public final class CompactInceptionResNet extends PooledClassifier {

    /** Width of the pooled features, the embedding. */
    public static final int NUM_FEATURES = 256;

    private CompactInceptionResNet(int numClasses) {
        super(body(), NUM_FEATURES, numClasses, "classif");
    }

    private static Features body() {
        Features body = new Features();
        body.add(
                "stem",
                new Sequential().add("conv1", conv(24, 3, 1, 1)).add("conv2", conv(64, 3, 2, 1)));
        body.add("repeat", repeat(2, () -> new InceptionResNetA(0.17f, 64, 16)));
        body.add("mixed_6a", new ReductionA(32, 48, 64, 64, 1));
        body.add("repeat_1", repeat(2, () -> new InceptionResNetB(0.10f, 192, 8)));
        body.add("mixed_7a", new ReductionB(8, 1));
        body.add("repeat_2", repeat(1, () -> new InceptionResNetC(0.20f, true, 440, 12)));
        body.add("block8", new InceptionResNetC(1.0f, false, 440, 12));
        body.add("conv2d_7b", conv(NUM_FEATURES, 1));
        return body;
    }

    /** The network with a head of {@code numClasses} (10 for Fashion-MNIST). */
    public static CompactInceptionResNet create(int numClasses) {
        return new CompactInceptionResNet(numClasses);
    }
}
