package io.inceptionpipeline.models.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.inceptionpipeline.models.spec.Normalization;
import io.inceptionpipeline.models.testing.Images;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Our resize and center crop give exactly the bytes Pillow and torchvision give (fixtures from
 * {@code models/src/test/python/generate_resize_fixtures.py}).
 */
class PilResizeTest {

    /** The generator's source image: v = ((x*(3+c)) ^ (y*(5+2c))) + ((x*y) >> 4), low 8 bits. */
    static RgbImage source(int width, int height) {
        byte[] px = new byte[3 * width * height];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                for (int c = 0; c < 3; c++) {
                    long v = ((long) x * (3 + c) ^ (long) y * (5 + 2 * c)) + (((long) x * y) >> 4);
                    px[3 * (y * width + x) + c] = (byte) (v & 255);
                }
            }
        }
        return new RgbImage(width, height, px);
    }

    static List<JsonObject> cases() throws Exception {
        try (InputStream in = PilResizeTest.class.getResourceAsStream("/pil/cases.json")) {
            List<JsonObject> cases = new ArrayList<>();
            for (JsonElement e :
                    JsonParser.parseReader(new InputStreamReader(in, StandardCharsets.UTF_8))
                            .getAsJsonObject()
                            .getAsJsonArray("cases")) {
                cases.add(e.getAsJsonObject());
            }
            return cases;
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesPillowByteForByte(JsonObject c) throws Exception {
        RgbImage src =
                source(
                        c.getAsJsonArray("source").get(0).getAsInt(),
                        c.getAsJsonArray("source").get(1).getAsInt());
        Interpolation filter =
                Interpolation.valueOf(c.get("filter").getAsString().toUpperCase(Locale.ROOT));
        RgbImage actual;
        if (c.get("kind").getAsString().equals("resize")) {
            actual =
                    PilResize.resize(
                            src,
                            c.getAsJsonArray("target").get(0).getAsInt(),
                            c.getAsJsonArray("target").get(1).getAsInt(),
                            filter);
        } else {
            Preprocessor preprocessor =
                    new Preprocessor(
                            c.get("input_size").getAsInt(),
                            c.get("crop_pct").getAsDouble(),
                            filter,
                            Normalization.INCEPTION);
            actual = preprocessor.crop(src, CropMode.CENTER);
        }
        RgbImage expected;
        try (InputStream in =
                getClass().getResourceAsStream("/pil/" + c.get("expected").getAsString())) {
            expected = Images.read(in);
        }
        assertThat(actual.width()).isEqualTo(expected.width());
        assertThat(actual.height()).isEqualTo(expected.height());
        int mismatches = 0;
        int first = -1;
        for (int i = 0; i < expected.pixels().length; i++) {
            if (actual.pixels()[i] != expected.pixels()[i]) {
                if (first < 0) {
                    first = i;
                }
                mismatches++;
            }
        }
        assertThat(mismatches).as("bytes differing from Pillow (first at byte %d)", first).isZero();
    }

    /**
     * Random images, sizes, filters and crop windows (up, down, one axis only, none; windows at the
     * edges): the vectorized passes give exactly the reference loops' bytes.
     */
    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
    void matchesTheReferenceLoopsOnRandomWindows(long seed) {
        Random random = new Random(seed);
        for (int round = 0; round < 25; round++) {
            int srcWidth = 1 + random.nextInt(round % 5 == 0 ? 8 : 700);
            int srcHeight = 1 + random.nextInt(round % 7 == 0 ? 8 : 700);
            byte[] pixels = new byte[3 * srcWidth * srcHeight];
            random.nextBytes(pixels);
            RgbImage src = new RgbImage(srcWidth, srcHeight, pixels);
            int width = round % 4 == 1 ? srcWidth : 1 + random.nextInt(400);
            int height = round % 4 == 2 ? srcHeight : 1 + random.nextInt(400);
            int cropWidth = 1 + random.nextInt(width);
            int cropHeight = 1 + random.nextInt(height);
            int left = random.nextInt(width - cropWidth + 1);
            int top = random.nextInt(height - cropHeight + 1);
            Interpolation filter = Interpolation.values()[random.nextInt(2)];
            RgbImage expected =
                    PilResizeReference.resizeCrop(
                            src, width, height, left, top, cropWidth, cropHeight, filter);
            RgbImage actual =
                    PilResize.resizeCrop(
                            src, width, height, left, top, cropWidth, cropHeight, filter);
            assertThat(actual.pixels())
                    .as(
                            "%dx%d -> %dx%d, crop %dx%d+%d+%d, %s",
                            srcWidth,
                            srcHeight,
                            width,
                            height,
                            cropWidth,
                            cropHeight,
                            left,
                            top,
                            filter)
                    .isEqualTo(expected.pixels());
        }
    }

    @Test
    void refusesACropOutsideTheResizedImage() {
        RgbImage src = source(10, 10);
        assertThatThrownBy(
                        () ->
                                PilResize.resizeCrop(
                                        src, 20, 20, 15, 0, 10, 10, Interpolation.BICUBIC))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("outside the resized 20x20 image");
    }
}
