package io.inceptionpipeline.models.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.inceptionpipeline.models.spec.ModelRegistry;
import io.inceptionpipeline.models.spec.Normalization;
import org.junit.jupiter.api.Test;

class PreprocessorTest {

    private final Preprocessor irv2 = ModelRegistry.get("inception_resnet_v2").preprocessor();

    @Test
    void irv2ResizesTo333AndCrops299() {
        assertThat(irv2.scaleSize()).isEqualTo(333); // floor(299 / 0.8975)
        RgbImage crop = irv2.crop(new RgbImage(640, 480, new byte[640 * 480 * 3]), CropMode.CENTER);
        assertThat(crop.width()).isEqualTo(299);
        assertThat(crop.height()).isEqualTo(299);
    }

    @Test
    void noneTakesOnlyImagesAlreadyAtInputSize() {
        RgbImage exact = new RgbImage(299, 299, new byte[299 * 299 * 3]);
        assertThat(irv2.crop(exact, CropMode.NONE)).isSameAs(exact);
        assertThatThrownBy(
                        () ->
                                irv2.crop(
                                        new RgbImage(300, 299, new byte[300 * 299 * 3]),
                                        CropMode.NONE))
                .hasMessageContaining("Crop mode 'none' needs a 299x299 image, got 300x299");
    }

    @Test
    void normalizesToMinusOneOneInChannelPlanes() {
        Preprocessor p = new Preprocessor(2, 1.0, Interpolation.BICUBIC, Normalization.INCEPTION);
        // 2x2 image: pixel 0 = (0, 128, 255), others (255, 0, 0)
        byte[] px = {
            0, (byte) 128, (byte) 255, (byte) 255, 0, 0, (byte) 255, 0, 0, (byte) 255, 0, 0
        };
        float[] out = new float[1 + 12];
        p.normalize(new RgbImage(2, 2, px), out, 1);
        assertThat(out[0]).isZero(); // offset respected
        assertThat(out[1]).isEqualTo(-1f); // R plane, pixel 0
        assertThat(out[1 + 4]).isEqualTo((128 / 255f - 0.5f) / 0.5f); // G plane, pixel 0
        assertThat(out[1 + 8]).isEqualTo(1f); // B plane, pixel 0
        assertThat(out[1 + 1]).isEqualTo(1f); // R plane, pixel 1
    }

    @Test
    void bgrModelsSeeBlueFirst() {
        Normalization caffe =
                new Normalization(new float[] {104, 117, 128}, new float[] {1, 1, 1}, 1f, true);
        Preprocessor p = new Preprocessor(1, 1.0, Interpolation.BILINEAR, caffe);
        float[] out = new float[3];
        p.normalize(new RgbImage(1, 1, new byte[] {10, 20, 30}), out, 0);
        assertThat(out).containsExactly(30 - 104f, 20 - 117f, 10 - 128f);
    }

    @Test
    void parsesCropModes() {
        assertThat(CropMode.parse(" Center ")).isEqualTo(CropMode.CENTER);
        assertThat(CropMode.parse("none")).isEqualTo(CropMode.NONE);
        assertThatThrownBy(() -> CropMode.parse("five"))
                .hasMessageContaining("expected center, none, ten or multiscale");
    }
}
