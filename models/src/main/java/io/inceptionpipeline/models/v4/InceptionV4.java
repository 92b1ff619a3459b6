package io.inceptionpipeline.models.v4;

import io.inceptionpipeline.models.PooledClassifier;
import io.inceptionpipeline.models.irv2.ReductionA;
import io.inceptionpipeline.models.layers.Sequential;

/**
 * Inception-v4 (Szegedy et al., "Inception-v4, Inception-ResNet and the Impact of Residual
 * Connections on Learning", 2016, figure 9) as released in TF-slim and ported by timm ({@code
 * inception_v4}): stem, 4 × Inception-A, Reduction-A (k=192, l=224, m=256, n=384, the cell
 * Inception-ResNet-v2 also uses), 7 × Inception-B, Reduction-B, 3 × Inception-C, global average
 * pooling to 1536, classifier {@code last_linear}. State-dict names {@code features.N...}.
 */
public final class InceptionV4 extends PooledClassifier {

    public static final int NUM_FEATURES = 1536;

    private InceptionV4(int numClasses) {
        super(features(), NUM_FEATURES, numClasses, "last_linear");
    }

    public static InceptionV4 create(int numClasses) {
        return new InceptionV4(numClasses);
    }

    private static Sequential features() {
        Sequential features = new Sequential();
        features.add(
                "stem", new Stem()); //                                    features.0-5, 35×35×384
        int index = 6;
        for (int i = 0; i < 4; i++) {
            features.add(Integer.toString(index++), new InceptionA());
        }
        features.add(
                Integer.toString(index++), new ReductionA(192, 224, 256, 384, 0)); // 17×17×1024
        for (int i = 0; i < 7; i++) {
            features.add(Integer.toString(index++), new InceptionB());
        }
        features.add(Integer.toString(index++), new ReductionB()); //            8×8×1536
        for (int i = 0; i < 3; i++) {
            features.add(Integer.toString(index++), new InceptionC());
        }
        return features;
    }
}
