package io.inceptionpipeline.operators.decode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.inceptionpipeline.models.image.RgbImage;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ImageDecoderTest {

    private final ImageDecoder decoder = new ImageDecoder(1_000_000);

    static byte[] encode(BufferedImage image, String format) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThat(ImageIO.write(image, format, out)).as("writer for " + format).isTrue();
        return out.toByteArray();
    }

    static BufferedImage colours(int type) {
        BufferedImage image = new BufferedImage(40, 30, type);
        for (int y = 0; y < 30; y++) {
            for (int x = 0; x < 40; x++) {
                image.setRGB(x, y, x < 20 ? 0xffff0000 : 0xff0000ff);
            }
        }
        return image;
    }

    @ParameterizedTest
    @ValueSource(strings = {"png", "bmp", "gif", "jpg"})
    void decodesEveryFormatToRgb(String format) throws Exception {
        RgbImage image = decoder.decode(encode(colours(BufferedImage.TYPE_INT_RGB), format));
        assertThat(image.width()).isEqualTo(40);
        assertThat(image.height()).isEqualTo(30);
        // left half red, right half blue (JPEG within its loss)
        assertThat(image.get(5, 5, 0)).isGreaterThan(230);
        assertThat(image.get(5, 5, 2)).isLessThan(25);
        assertThat(image.get(35, 5, 2)).isGreaterThan(230);
        assertThat(image.get(35, 5, 0)).isLessThan(25);
    }

    @Test
    void replicatesGreyLikePillowInsteadOfApplyingAGammaCurve() throws Exception {
        BufferedImage grey = new BufferedImage(4, 1, BufferedImage.TYPE_BYTE_GRAY);
        grey.getRaster().setSamples(0, 0, 4, 1, 0, new int[] {0, 64, 128, 255});
        RgbImage image = decoder.decode(encode(grey, "png"));
        assertThat(image.pixels())
                .containsExactly(
                        0, 0, 0, 64, 64, 64, (byte) 128, (byte) 128, (byte) 128, -1, -1, -1);
    }

    @Test
    void dropsAlphaWithoutCompositing() throws Exception {
        BufferedImage rgba = new BufferedImage(1, 1, BufferedImage.TYPE_INT_ARGB);
        rgba.setRGB(0, 0, 0x10203040);
        RgbImage image = decoder.decode(encode(rgba, "png"));
        assertThat(image.pixels()).containsExactly(0x20, 0x30, 0x40);
    }

    @Test
    void refusesEmptyAndUnknownBytes() {
        assertThatThrownBy(() -> decoder.decode(new byte[0]))
                .isInstanceOf(DecodeException.class)
                .hasMessageContaining("zero bytes")
                .extracting(e -> ((DecodeException) e).reason())
                .isEqualTo(DecodeException.Reason.EMPTY);
        byte[] html = "<html><body>not an image</body></html>".getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> decoder.decode(html))
                .hasMessageContaining("<html>")
                .extracting(e -> ((DecodeException) e).reason())
                .isEqualTo(DecodeException.Reason.NOT_AN_IMAGE);
        byte[] json = "{\"error\": \"not found\"}\r\n".getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> decoder.decode(json))
                .extracting(e -> ((DecodeException) e).reason())
                .isEqualTo(DecodeException.Reason.NOT_AN_IMAGE);
        // binary in a format we do not read (a HEIC header) stays UNSUPPORTED_FORMAT
        byte[] heic = {0, 0, 0, 0x18, 'f', 't', 'y', 'p', 'h', 'e', 'i', 'c', 0, 0, 0, 0};
        assertThatThrownBy(() -> decoder.decode(heic))
                .extracting(e -> ((DecodeException) e).reason())
                .isEqualTo(DecodeException.Reason.UNSUPPORTED_FORMAT);
        assertThat(DecodeCropFunction.code(DecodeException.Reason.NOT_AN_IMAGE))
                .isEqualTo(io.inceptionpipeline.schemas.ErrorCode.NOT_AN_IMAGE);
        assertThat(DecodeCropFunction.code(DecodeException.Reason.TRUNCATED))
                .isEqualTo(io.inceptionpipeline.schemas.ErrorCode.TRUNCATED_IMAGE);
    }

    @Test
    void tellsATruncatedPngFromACorruptOne() throws Exception {
        BufferedImage noise = new BufferedImage(100, 80, BufferedImage.TYPE_INT_RGB);
        java.util.Random random = new java.util.Random(2);
        for (int y = 0; y < 80; y++) {
            for (int x = 0; x < 100; x++) {
                noise.setRGB(x, y, random.nextInt());
            }
        }
        byte[] png = encode(noise, "png");
        byte[] half = Arrays.copyOf(png, png.length / 2);
        assertThatThrownBy(() -> decoder.decode(half))
                .extracting(e -> ((DecodeException) e).reason())
                .isEqualTo(DecodeException.Reason.TRUNCATED);
    }

    @Test
    void refusesATruncatedJpegThatJavaWouldFillWithGrey() throws Exception {
        BufferedImage noise = new BufferedImage(200, 150, BufferedImage.TYPE_INT_RGB);
        java.util.Random random = new java.util.Random(1);
        for (int y = 0; y < 150; y++) {
            for (int x = 0; x < 200; x++) {
                noise.setRGB(x, y, random.nextInt());
            }
        }
        byte[] jpeg = encode(noise, "jpg");
        byte[] cutInScan = Arrays.copyOf(jpeg, jpeg.length * 2 / 3);
        assertThatThrownBy(() -> decoder.decode(cutInScan))
                .isInstanceOf(DecodeException.class)
                .hasMessageContaining("truncated")
                .extracting(e -> ((DecodeException) e).reason())
                .isEqualTo(DecodeException.Reason.TRUNCATED);
        byte[] cutInHeader = Arrays.copyOf(jpeg, 100);
        assertThatThrownBy(() -> decoder.decode(cutInHeader))
                .isInstanceOf(DecodeException.class)
                .extracting(e -> ((DecodeException) e).reason())
                .isEqualTo(DecodeException.Reason.TRUNCATED);
    }

    @Test
    void refusesADecompressionBombFromItsHeaderAlone() {
        // A valid PNG signature and IHDR declaring 50,000 x 50,000 RGB pixels, and no pixel data.
        byte[] bomb = pngHeader(50_000, 50_000);
        assertThatThrownBy(() -> decoder.decode(bomb))
                .isInstanceOf(DecodeException.class)
                .hasMessageContaining(
                        "declares 50000x50000 = 2500000000 pixels, over the cap of 1000000")
                .extracting(e -> ((DecodeException) e).reason())
                .isEqualTo(DecodeException.Reason.TOO_MANY_PIXELS);
    }

    static byte[] pngHeader(int width, int height) {
        ByteBuffer ihdr = ByteBuffer.allocate(13).putInt(width).putInt(height);
        ihdr.put((byte) 8).put((byte) 2).put((byte) 0).put((byte) 0).put((byte) 0);
        ByteBuffer png = ByteBuffer.allocate(8 + 12 + 13 + 12);
        png.put(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        png.putInt(13).put("IHDR".getBytes(StandardCharsets.US_ASCII)).put(ihdr.array());
        CRC32 crc = new CRC32();
        crc.update("IHDR".getBytes(StandardCharsets.US_ASCII));
        crc.update(ihdr.array());
        png.putInt((int) crc.getValue());
        png.putInt(0).put("IEND".getBytes(StandardCharsets.US_ASCII)).putInt(0xae426082);
        return png.array();
    }
}
