package io.inceptionpipeline.models.irv2;

import static io.inceptionpipeline.models.layers.Layers.conv;

import ai.djl.nn.Block;
import io.inceptionpipeline.models.PooledClassifier;
import io.inceptionpipeline.models.layers.Features;
import io.inceptionpipeline.models.layers.Sequential;
import java.util.function.Supplier;

/**
 * Inception-ResNet-v2 (Szegedy et al., "Inception-v4, Inception-ResNet and the Impact of Residual
 * Connections on Learning", 2016) as released in TF-slim and ported by timm ({@code
 * inception_resnet_v2}): 10/20/10 residual cells (not the paper figure's 5/10/5), residual
 * up-projections with bias and no BatchNorm.
 *
 * <pre>{@code
 * Block net = InceptionResNetV2.builder().optNumClasses(1000).build();
 * net.initialize(manager, DataType.FLOAT32, new Shape(1, 3, 299, 299));
 * NDList out = net.forward(ps, new NDList(images), false); // [logits (N,1000), embedding (N,1536)]
 * }</pre>
 */
public final class InceptionResNetV2 extends PooledClassifier {

    /** Width of the pooled features, the embedding. */
    public static final int NUM_FEATURES = 1536;

    private InceptionResNetV2(Builder builder) {
        super(body(), NUM_FEATURES, builder.numClasses, "classif");
    }

    private static Features body() {
        Features body = new Features();
        body.add("stem", new Stem());
        body.add("mixed_5b", new Mixed5b()); //                          35×35×320
        body.add("repeat", repeat(10, () -> new InceptionResNetA(0.17f, 320, 32)));
        body.add("mixed_6a", new ReductionA(256, 256, 384, 384, 0)); //  17×17×1088
        body.add("repeat_1", repeat(20, () -> new InceptionResNetB(0.10f, 1088, 32)));
        body.add("mixed_7a", new ReductionB(32, 0)); //                   8×8×2080
        body.add("repeat_2", repeat(9, () -> new InceptionResNetC(0.20f, true, 2080, 32)));
        body.add("block8", new InceptionResNetC(1.0f, false, 2080, 32));
        body.add("conv2d_7b", conv(NUM_FEATURES, 1)); //                  8×8×1536
        return body;
    }

    /** {@code times} cells from {@code cell}, named 0, 1, ... like timm's nn.Sequential. */
    public static Sequential repeat(int times, Supplier<Block> cell) {
        Sequential cells = new Sequential();
        for (int i = 0; i < times; i++) {
            cells.add(cell.get());
        }
        return cells;
    }

    /** Returns a builder; the default head has 1000 ImageNet classes. */
    public static Builder builder() {
        return new Builder();
    }

    /** Builder; {@link #build()} validates. */
    public static final class Builder {
        private int numClasses = 1000;

        private Builder() {}

        /** Classes of the head: 1000 (timm), 1001 (TF-slim with background) or any other. */
        public Builder optNumClasses(int numClasses) {
            this.numClasses = numClasses;
            return this;
        }

        public InceptionResNetV2 build() {
            if (numClasses < 1) {
                throw new IllegalArgumentException("numClasses must be >= 1, got " + numClasses);
            }
            return new InceptionResNetV2(this);
        }
    }
}
