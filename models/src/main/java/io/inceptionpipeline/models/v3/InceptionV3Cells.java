package io.inceptionpipeline.models.v3;

import static io.inceptionpipeline.models.layers.Layers.avgPool;
import static io.inceptionpipeline.models.layers.Layers.conv;
import static io.inceptionpipeline.models.layers.Layers.maxPool;
import static io.inceptionpipeline.models.layers.TowerCell.layer;

import io.inceptionpipeline.models.layers.TowerCell;
import java.util.List;

/**
 * The cells of Inception-v3 (Szegedy et al., "Rethinking the Inception Architecture for Computer
 * Vision", 2015), with torchvision's and timm's names. Their pooling branches average with
 * PyTorch's default, counting the zero padding.
 */
final class InceptionV3Cells {

    private InceptionV3Cells() {}

    /** Inception-A (figure 5: the 5×5 as two 3×3 and a 5×5 tower), 35×35; Mixed_5b to 5d. */
    static final class InceptionA extends TowerCell {
        InceptionA(int poolFeatures) {
            super(
                    TowerCell.builder()
                            .tower(layer("branch1x1", conv(64, 1)))
                            .tower(
                                    layer("branch5x5_1", conv(48, 1)),
                                    layer("branch5x5_2", conv(64, 5, 1, 2)))
                            .tower(
                                    layer("branch3x3dbl_1", conv(64, 1)),
                                    layer("branch3x3dbl_2", conv(96, 3, 1, 1)),
                                    layer("branch3x3dbl_3", conv(96, 3, 1, 1)))
                            .tower(
                                    layer("pool", avgPool(3, 1, 1)),
                                    layer("branch_pool", conv(poolFeatures, 1))));
        }
    }

    /** Grid reduction 35×35 → 17×17 (figure 10); Mixed_6a. */
    static final class InceptionB extends TowerCell {
        InceptionB() {
            super(
                    TowerCell.builder()
                            .tower(layer("branch3x3", conv(384, 3, 2, 0)))
                            .tower(
                                    layer("branch3x3dbl_1", conv(64, 1)),
                                    layer("branch3x3dbl_2", conv(96, 3, 1, 1)),
                                    layer("branch3x3dbl_3", conv(96, 3, 2, 0)))
                            .tower(layer("pool", maxPool(3, 2))));
        }
    }

    /** Inception-C (figure 6: n×n factorized into 1×7 and 7×1), 17×17; Mixed_6b to 6e. */
    static final class InceptionC extends TowerCell {
        InceptionC(int c7) {
            super(
                    TowerCell.builder()
                            .tower(layer("branch1x1", conv(192, 1)))
                            .tower(
                                    layer("branch7x7_1", conv(c7, 1)),
                                    layer("branch7x7_2", conv(c7, 1, 7)),
                                    layer("branch7x7_3", conv(192, 7, 1)))
                            .tower(
                                    layer("branch7x7dbl_1", conv(c7, 1)),
                                    layer("branch7x7dbl_2", conv(c7, 7, 1)),
                                    layer("branch7x7dbl_3", conv(c7, 1, 7)),
                                    layer("branch7x7dbl_4", conv(c7, 7, 1)),
                                    layer("branch7x7dbl_5", conv(192, 1, 7)))
                            .tower(
                                    layer("pool", avgPool(3, 1, 1)),
                                    layer("branch_pool", conv(192, 1))));
        }
    }

    /** Grid reduction 17×17 → 8×8; Mixed_7a. */
    static final class InceptionD extends TowerCell {
        InceptionD() {
            super(
                    TowerCell.builder()
                            .tower(
                                    layer("branch3x3_1", conv(192, 1)),
                                    layer("branch3x3_2", conv(320, 3, 2, 0)))
                            .tower(
                                    layer("branch7x7x3_1", conv(192, 1)),
                                    layer("branch7x7x3_2", conv(192, 1, 7)),
                                    layer("branch7x7x3_3", conv(192, 7, 1)),
                                    layer("branch7x7x3_4", conv(192, 3, 2, 0)))
                            .tower(layer("pool", maxPool(3, 2))));
        }
    }

    /** Inception-E (figure 7: expanded filter banks), 8×8; Mixed_7b and 7c. */
    static final class InceptionE extends TowerCell {
        InceptionE() {
            super(
                    TowerCell.builder()
                            .tower(layer("branch1x1", conv(320, 1)))
                            .tower(
                                    List.of(layer("branch3x3_1", conv(384, 1))),
                                    layer("branch3x3_2a", conv(384, 1, 3)),
                                    layer("branch3x3_2b", conv(384, 3, 1)))
                            .tower(
                                    List.of(
                                            layer("branch3x3dbl_1", conv(448, 1)),
                                            layer("branch3x3dbl_2", conv(384, 3, 1, 1))),
                                    layer("branch3x3dbl_3a", conv(384, 1, 3)),
                                    layer("branch3x3dbl_3b", conv(384, 3, 1)))
                            .tower(
                                    layer("pool", avgPool(3, 1, 1)),
                                    layer("branch_pool", conv(192, 1))));
        }
    }
}
