package io.inceptionpipeline.operators.decode;

import static org.assertj.core.api.Assertions.assertThat;

import io.inceptionpipeline.models.image.RgbImage;
import java.io.InputStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Images written by Pillow in every encoding we accept ({@code
 * operators/src/test/python/generate_decoder_fixtures.py}): a 64x48 scene, left half red, right
 * half blue, a green square top left.
 */
class ImageFormatsTest {

    @BeforeAll
    static void plugins() {
        ImageIO.scanForPlugins();
    }

    static byte[] fixture(String name) throws Exception {
        try (InputStream in = ImageFormatsTest.class.getResourceAsStream("/images/" + name)) {
            return in.readAllBytes();
        }
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "baseline.jpg",
                "progressive.jpg",
                "cmyk.jpg",
                "rgba.png",
                "indexed.gif",
                "animated.gif",
                "image.bmp",
                "lossless.webp"
            })
    void decodesColourImagesToTheSameScene(String name) throws Exception {
        RgbImage image = new ImageDecoder().decode(fixture(name));
        assertThat(image.width()).isEqualTo(64);
        assertThat(image.height()).isEqualTo(48);
        assertColour(image, 3, 3, 30, 200, 30); // green corner
        assertColour(image, 16, 30, 220, 30, 30); // red
        assertColour(image, 48, 30, 30, 30, 220); // blue
    }

    @ParameterizedTest
    @ValueSource(strings = {"gray.png", "gray16.png"})
    void decodesGreyImagesByReplicatingTheValue(String name) throws Exception {
        RgbImage image = new ImageDecoder().decode(fixture(name));
        int red = (int) Math.round(0.299 * 220 + 0.587 * 30 + 0.114 * 30);
        assertColour(image, 16, 30, red, red, red);
    }

    @Test
    void turnsAnExifRotatedPhotoUpright() throws Exception {
        byte[] jpeg = fixture("exif-orientation-6.jpg");
        assertThat(ExifOrientation.read(jpeg)).isEqualTo(6);
        RgbImage stored = new ImageDecoder().decode(jpeg);
        assertThat(stored.width()).isEqualTo(48);
        RgbImage upright = ExifOrientation.apply(stored, 6);
        assertThat(upright.width()).isEqualTo(64);
        assertThat(upright.height()).isEqualTo(48);
        assertColour(upright, 3, 3, 30, 200, 30);
        assertColour(upright, 16, 30, 220, 30, 30);
        assertColour(upright, 48, 30, 30, 30, 220);
        assertThat(ExifOrientation.read(fixture("baseline.jpg"))).isEqualTo(1);
    }

    @Test
    void everyOrientationIsTheInverseOfItsPillowTranspose() {
        // A 3x2 image with distinct pixels; orientation k's transform undoes what the camera
        // stored.
        RgbImage original =
                new RgbImage(
                        3, 2, new byte[] {0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 5, 5, 5});
        assertThat(ExifOrientation.apply(original, 1)).isSameAs(original);
        assertThat(ExifOrientation.apply(original, 2).pixels())
                .startsWith(2, 2, 2, 1, 1, 1, 0, 0, 0);
        assertThat(ExifOrientation.apply(original, 3).pixels())
                .startsWith(5, 5, 5, 4, 4, 4, 3, 3, 3);
        assertThat(ExifOrientation.apply(original, 4).pixels())
                .startsWith(3, 3, 3, 4, 4, 4, 5, 5, 5);
        // rotate 90 clockwise: the bottom-left pixel (3) becomes the top-left
        RgbImage six = ExifOrientation.apply(original, 6);
        assertThat(six.width()).isEqualTo(2);
        assertThat(six.pixels()).startsWith(3, 3, 3, 0, 0, 0);
        // rotate 90 counter-clockwise: the top-right pixel (2) becomes the top-left
        assertThat(ExifOrientation.apply(original, 8).pixels()).startsWith(2, 2, 2, 5, 5, 5);
        assertThat(ExifOrientation.apply(original, 5).pixels()).startsWith(0, 0, 0, 3, 3, 3);
        assertThat(ExifOrientation.apply(original, 7).pixels()).startsWith(5, 5, 5, 2, 2, 2);
    }

    private static void assertColour(RgbImage image, int x, int y, int r, int g, int b) {
        assertThat(new int[] {image.get(x, y, 0), image.get(x, y, 1), image.get(x, y, 2)})
                .as("pixel (%d, %d)", x, y)
                .satisfies(
                        px -> {
                            assertThat(px[0]).isCloseTo(r, org.assertj.core.data.Offset.offset(12));
                            assertThat(px[1]).isCloseTo(g, org.assertj.core.data.Offset.offset(12));
                            assertThat(px[2]).isCloseTo(b, org.assertj.core.data.Offset.offset(12));
                        });
    }
}
