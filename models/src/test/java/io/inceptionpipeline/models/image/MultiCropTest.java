package io.inceptionpipeline.models.image;

import static org.assertj.core.api.Assertions.assertThat;

import io.inceptionpipeline.models.spec.ModelRegistry;
import io.inceptionpipeline.models.spec.Normalization;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class MultiCropTest {

    private final Preprocessor irv2 = ModelRegistry.get("inception_resnet_v2").preprocessor();
    private final Preprocessor fmnist = ModelRegistry.get("inception_resnet_fmnist").preprocessor();

    private static RgbImage random(int width, int height, long seed) {
        byte[] px = new byte[3 * width * height];
        new Random(seed).nextBytes(px);
        return new RgbImage(width, height, px);
    }

    @Test
    void eachModeMakesItsNumberOfCrops() {
        RgbImage photo = random(200, 150, 1);
        assertThat(irv2.crops(photo, CropMode.CENTER)).hasSize(1);
        assertThat(irv2.crops(photo, CropMode.TEN)).hasSize(10).allMatch(MultiCropTest::is299);
        assertThat(irv2.crops(photo, CropMode.MULTISCALE))
                .hasSize(144)
                .allMatch(MultiCropTest::is299);
        assertThat(CropMode.TEN.cropCount()).isEqualTo(10);
        assertThat(CropMode.MULTISCALE.cropCount()).isEqualTo(144);
        assertThat(CropMode.parse(" Ten ")).isEqualTo(CropMode.TEN);
    }

    private static boolean is299(RgbImage crop) {
        return crop.width() == 299 && crop.height() == 299;
    }

    @Test
    void centerCropsAreTodaysBytesAndTenCropStartsWithThem() {
        for (RgbImage image : List.of(random(640, 480, 2), random(301, 777, 3))) {
            RgbImage center = irv2.crop(image, CropMode.CENTER);
            assertThat(irv2.crops(image, CropMode.CENTER).get(0).pixels())
                    .isEqualTo(center.pixels());
            List<RgbImage> ten = irv2.crops(image, CropMode.TEN);
            assertThat(ten.get(0).pixels()).isEqualTo(center.pixels());
            assertThat(ten.get(5).pixels()).isEqualTo(Preprocessor.mirror(center).pixels());
        }
    }

    @Test
    void tenCropBoxesAreCenterAndCornersOfTheResizedImageThenMirrors() {
        // 640x480 -> shorter side 333 -> 444x333; margins 145 and 34.
        List<CropWindow> windows = TenCrop.windows(640, 480, 299, 0.8975);
        assertThat(windows).hasSize(10);
        assertThat(windows.get(0)).isEqualTo(new CropWindow(444, 333, 0, 72, 17, 299, false));
        assertThat(windows.subList(1, 5))
                .extracting(w -> w.left() + "," + w.top())
                .containsExactly("0,0", "145,0", "0,34", "145,34");
        for (int i = 0; i < 5; i++) {
            assertThat(windows.get(i).mirrored()).isFalse();
            assertThat(windows.get(i + 5)).isEqualTo(windows.get(i).mirror());
        }
    }

    @Test
    void aFullFrameModelGetsItsImageShiftedByTwoPixelsAtTheCorners() {
        RgbImage image = random(28, 28, 4);
        List<RgbImage> ten = fmnist.crops(image, CropMode.TEN);
        assertThat(ten).hasSize(10);
        assertThat(ten.get(0).pixels()).isEqualTo(fmnist.crop(image, CropMode.CENTER).pixels());
        assertThat(ten.get(0).pixels()).isEqualTo(image.pixels());
        RgbImage topLeft = ten.get(1);
        RgbImage bottomRight = ten.get(4);
        for (int c = 0; c < 3; c++) {
            assertThat(topLeft.get(0, 0, c)).isZero(); // padding
            assertThat(topLeft.get(1, 27, c)).isZero();
            assertThat(topLeft.get(2, 2, c)).isEqualTo(image.get(0, 0, c));
            assertThat(topLeft.get(27, 27, c)).isEqualTo(image.get(25, 25, c));
            assertThat(bottomRight.get(0, 0, c)).isEqualTo(image.get(2, 2, c));
            assertThat(bottomRight.get(27, 27, c)).isZero();
            assertThat(ten.get(6).get(25, 2, c)).isEqualTo(image.get(0, 0, c)); // mirrored
        }
        assertThat(ten.stream().map(i -> java.util.Arrays.hashCode(i.pixels())).distinct())
                .hasSize(10);
    }

    @Test
    void mirrorFlipsRowsLeftToRight() {
        byte[] px = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
        RgbImage mirrored = Preprocessor.mirror(new RgbImage(2, 2, px));
        assertThat(mirrored.pixels()).containsExactly(4, 5, 6, 1, 2, 3, 10, 11, 12, 7, 8, 9);
    }

    @Test
    void cutTakesTheWindowOfThePaddedFrame() {
        Preprocessor four =
                new Preprocessor(4, 1.0, Interpolation.BILINEAR, Normalization.INCEPTION);
        RgbImage image = random(4, 4, 5);
        RgbImage cut = four.cut(image, List.of(new CropWindow(4, 4, 2, 3, 1, 4, false))).get(0);
        for (int y = 0; y < 4; y++) {
            for (int x = 0; x < 4; x++) {
                int sx = x + 3 - 2;
                int sy = y + 1 - 2;
                int expected = sx < 4 && sy >= 0 ? image.get(sx, sy, 1) : 0;
                assertThat(cut.get(x, y, 1)).as("(%d,%d)", x, y).isEqualTo(expected);
            }
        }
    }

    @Test
    void multiScaleFollowsThePaperAtEveryInputSize() {
        assertThat(MultiScaleCrop.scales(224)).containsExactly(256, 288, 320, 352);
        assertThat(MultiScaleCrop.scales(28)).containsExactly(32, 36, 40, 44);
        assertThat(MultiScaleCrop.scales(299)).containsExactly(342, 384, 427, 470);
        // Portrait 300x400 at a 224 input: scale 256 -> 256x341; squares at top 0, 42 (rint of
        // 42.5, half to even), 85.
        List<CropWindow> windows = MultiScaleCrop.windows(300, 400, 224);
        assertThat(windows).hasSize(144);
        List<CropWindow> firstSquare = windows.subList(0, 12);
        assertThat(firstSquare.get(0)).isEqualTo(new CropWindow(256, 341, 0, 16, 16, 224, false));
        assertThat(firstSquare.get(5)).isEqualTo(new CropWindow(256, 341, 0, 0, 0, 256, false));
        assertThat(windows.get(12 + 5).top()).isEqualTo(42);
        assertThat(windows.get(12).top()).isEqualTo(42 + 16);
        assertThat(windows.get(24 + 5).top()).isEqualTo(85);
        assertThat(windows.get(24 + 5).left()).isZero();
        assertThat(windows.stream().filter(CropWindow::mirrored)).hasSize(72);
        assertThat(windows.stream().filter(w -> w.side() != 224)).hasSize(24);
        assertThat(windows.get(12 * 3).resizedWidth()).isEqualTo(288);
        // 28x28 model: every crop comes out 28x28, the whole square scaled down.
        assertThat(fmnist.crops(random(28, 28, 6), CropMode.MULTISCALE))
                .hasSize(144)
                .allMatch(c -> c.width() == 28 && c.height() == 28);
    }
}
