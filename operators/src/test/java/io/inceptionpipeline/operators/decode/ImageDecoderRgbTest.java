package io.inceptionpipeline.operators.decode;

import static org.assertj.core.api.Assertions.assertThat;

import io.inceptionpipeline.models.image.RgbImage;
import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link ImageDecoder#toRgb}'s direct copy of interleaved 8-bit samples gives what reading every
 * sample through the raster gives: grey replicated, alpha dropped, bands in the layout's order.
 */
class ImageDecoderRgbTest {

    /** Interleaved 8-bit layouts as the PNG and JPEG readers and Java's own types make them. */
    static BufferedImage image(String layout, int width, int height) {
        switch (layout) {
            case "grey":
                return new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
            case "abgr": // band offsets 3, 2, 1, 0
                return new BufferedImage(width, height, BufferedImage.TYPE_4BYTE_ABGR);
            default:
                boolean grey = layout.startsWith("grey");
                boolean alpha = layout.endsWith("alpha");
                ColorSpace space =
                        ColorSpace.getInstance(grey ? ColorSpace.CS_GRAY : ColorSpace.CS_sRGB);
                ComponentColorModel model =
                        new ComponentColorModel(
                                space,
                                alpha,
                                false,
                                alpha ? Transparency.TRANSLUCENT : Transparency.OPAQUE,
                                DataBuffer.TYPE_BYTE);
                WritableRaster raster =
                        Raster.createInterleavedRaster(
                                DataBuffer.TYPE_BYTE,
                                width,
                                height,
                                (grey ? 1 : 3) + (alpha ? 1 : 0),
                                null);
                return new BufferedImage(model, raster, false, null);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"grey", "greyalpha", "rgb", "rgbalpha", "abgr"})
    void copiesTheSamplesTheRasterHolds(String layout) {
        Random random = new Random(layout.hashCode());
        BufferedImage image = image(layout, 37, 11);
        WritableRaster raster = image.getRaster();
        for (int y = 0; y < 11; y++) {
            for (int x = 0; x < 37; x++) {
                for (int b = 0; b < raster.getNumBands(); b++) {
                    raster.setSample(x, y, b, random.nextInt(256));
                }
            }
        }
        int colours = image.getColorModel().getNumColorComponents();
        byte[] copied = new byte[3 * 37 * 11];
        assertThat(ImageDecoder.copyInterleavedBytes(raster, colours, copied)).isTrue();
        RgbImage converted = ImageDecoder.toRgb(image);
        for (int y = 0; y < 11; y++) {
            for (int x = 0; x < 37; x++) {
                for (int c = 0; c < 3; c++) {
                    int expected = raster.getSample(x, y, colours == 1 ? 0 : c);
                    assertThat(copied[3 * (y * 37 + x) + c] & 0xff)
                            .as("(%d, %d) channel %d", x, y, c)
                            .isEqualTo(expected);
                    assertThat(converted.get(x, y, c)).isEqualTo(expected);
                }
            }
        }
    }

    @Test
    void leavesOtherLayoutsToTheGeneralPath() {
        BufferedImage whole = image("rgb", 8, 8);
        Raster window = whole.getRaster().createChild(2, 2, 4, 4, 0, 0, null); // translated
        assertThat(ImageDecoder.copyInterleavedBytes(window, 3, new byte[3 * 16])).isFalse();
        BufferedImage packed = new BufferedImage(4, 4, BufferedImage.TYPE_INT_RGB);
        assertThat(ImageDecoder.copyInterleavedBytes(packed.getRaster(), 3, new byte[48]))
                .isFalse();
    }
}
