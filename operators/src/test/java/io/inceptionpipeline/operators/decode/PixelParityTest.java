package io.inceptionpipeline.operators.decode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.inceptionpipeline.models.image.RgbImage;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The decoder's pixels against Pillow 9.4's {@code Image.open(f).convert("RGB")}, the reference
 * pipeline's, byte for byte. Fixtures and Pillow's bytes ({@code NAME.rgb}) come from {@code
 * operators/src/test/python/generate_pixel_fixtures.py}; {@code cases.json} says which mode Pillow
 * opened each file as.
 */
class PixelParityTest {

    private static final Path ROCKET = Path.of("../samples/images/rocket.jpg");

    @BeforeAll
    static void plugins() {
        ImageIO.scanForPlugins();
    }

    static byte[] resource(String name) throws Exception {
        try (InputStream in = PixelParityTest.class.getResourceAsStream("/pixels/" + name)) {
            assertThat(in).as("test resource /pixels/%s", name).isNotNull();
            return in.readAllBytes();
        }
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "rgb16.png", // 16-bit: high byte, not round(v * 255 / 65535)
                "rgb16-trns.png",
                "rgba16.png", // alpha dropped, not composited
                "greyalpha16.png", // Pillow opens it as RGBA
                "rgba8.png", // includes fully transparent pixels with a colour
                "greyalpha8.png",
                "rgb8-trns.png",
                "palette8-trns.png", // palette entries, transparency ignored
                "palette4.png",
                "grey1.png",
                "grey2.png",
                "grey4.png",
                "rgb8-iccp.png", // profile not applied
                "adobergb.jpg" // Adobe RGB profile not applied; JPEG decoded identically
            })
    void decodesExactlyAsPillowConvertRgb(String name) throws Exception {
        RgbImage image = new ImageDecoder().decode(resource(name));
        assertThat(image.pixels()).isEqualTo(resource(name + ".rgb"));
    }

    /**
     * Pillow 9.4 opens a 16-bit greyscale PNG as mode I (32-bit integers) and {@code
     * convert("RGB")} clips it to 0..255: nearly white. We keep the high byte like every other
     * 16-bit PNG.
     */
    @ParameterizedTest
    @ValueSource(strings = {"grey16.png", "grey16-trns.png"})
    void sixteenBitGreyKeepsTheHighByteWherePillowClips(String name) throws Exception {
        int seed = name.equals("grey16.png") ? 1 : 5; // the generator's sixteen(1, seed)
        RgbImage image = new ImageDecoder().decode(resource(name));
        byte[] pillow = resource(name + ".rgb");
        int white = 0;
        for (int y = 0; y < image.height(); y++) {
            for (int x = 0; x < image.width(); x++) {
                int high = (x * 16 + y * 5 + seed) & 255;
                for (int c = 0; c < 3; c++) {
                    assertThat(image.get(x, y, c)).as("(%d, %d)", x, y).isEqualTo(high);
                }
                white += (pillow[3 * (y * image.width() + x)] & 0xff) == 255 ? 1 : 0;
            }
        }
        assertThat(white)
                .as("Pillow's white pixels")
                .isGreaterThan(image.width() * image.height() * 9 / 10);
    }

    @Test
    void sixteenBitSamplesKeepTheirHighByte() {
        assertThat(ImageDecoder.to8Bits(0x12FF, 16)).isEqualTo(0x12); // rounding would give 0x13
        assertThat(ImageDecoder.to8Bits(0xFF80, 16)).isEqualTo(0xFF);
        assertThat(ImageDecoder.to8Bits(3, 2)).isEqualTo(255);
        assertThat(ImageDecoder.to8Bits(1, 2)).isEqualTo(85);
        assertThat(ImageDecoder.to8Bits(7, 4)).isEqualTo(119);
    }

    @Test
    void ignoresTheAdobeRgbProfileOfAPhotoLikePillow() throws Exception {
        byte[] jpeg = Files.readAllBytes(ROCKET);
        String pillow = new String(resource("rocket.sha256"), StandardCharsets.US_ASCII).trim();

        RgbImage ignored =
                new ImageDecoder(ImageDecoder.DEFAULT_MAX_PIXELS, IccMode.IGNORE).decode(jpeg);
        assertThat(sha256(ignored.pixels())).isEqualTo(pillow);
        assertThat(new ImageDecoder().decode(jpeg).pixels()).isEqualTo(ignored.pixels());

        RgbImage converted =
                new ImageDecoder(ImageDecoder.DEFAULT_MAX_PIXELS, IccMode.CONVERT).decode(jpeg);
        assertThat(sha256(converted.pixels())).isNotEqualTo(pillow);
        // Adobe RGB -> sRGB moves saturated colours: measured mean |difference| 5.7, max 55.
        assertThat(meanAbsoluteDifference(ignored, converted)).isGreaterThan(2.0);
    }

    @ParameterizedTest
    @ValueSource(strings = {"adobergb.jpg", "rgb8-iccp.png"})
    void convertAppliesTheEmbeddedProfile(String name) throws Exception {
        byte[] encoded = resource(name);
        RgbImage converted =
                new ImageDecoder(ImageDecoder.DEFAULT_MAX_PIXELS, IccMode.CONVERT).decode(encoded);
        assertThat(converted.pixels()).isNotEqualTo(resource(name + ".rgb"));
        assertThat(meanAbsoluteDifference(converted, new ImageDecoder().decode(encoded)))
                .isGreaterThan(1.0);
    }

    @Test
    void convertLeavesImagesWithoutAProfileAlone() throws Exception {
        for (String name : new String[] {"rgb16.png", "rgba8.png", "palette4.png"}) {
            RgbImage converted =
                    new ImageDecoder(ImageDecoder.DEFAULT_MAX_PIXELS, IccMode.CONVERT)
                            .decode(resource(name));
            assertThat(converted.pixels()).as(name).isEqualTo(resource(name + ".rgb"));
        }
    }

    @Test
    void preparerPassesTheIccModeToItsDecoder() throws Exception {
        byte[] jpeg = resource("adobergb.jpg");
        var ignore =
                new ImagePreparer(
                        new PrepareConfig("inception_resnet_v2", "center", 1_000_000, false));
        var convert =
                new ImagePreparer(
                        new PrepareConfig(
                                "inception_resnet_v2",
                                "center",
                                1_000_000,
                                false,
                                IccMode.CONVERT));
        assertThat(ignore.prepare(jpeg).get(0).pixels())
                .isNotEqualTo(convert.prepare(jpeg).get(0).pixels());
    }

    @Test
    void parsesIccModes() {
        assertThat(IccMode.parse("ignore")).isEqualTo(IccMode.IGNORE);
        assertThat(IccMode.parse(" Convert ")).isEqualTo(IccMode.CONVERT);
        assertThat(IccMode.CONVERT.id()).isEqualTo("convert");
        assertThatThrownBy(() -> IccMode.parse("srgb"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("expected ignore or convert");
    }

    private static double meanAbsoluteDifference(RgbImage a, RgbImage b) {
        long sum = 0;
        for (int i = 0; i < a.pixels().length; i++) {
            sum += Math.abs((a.pixels()[i] & 0xff) - (b.pixels()[i] & 0xff));
        }
        return (double) sum / a.pixels().length;
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
