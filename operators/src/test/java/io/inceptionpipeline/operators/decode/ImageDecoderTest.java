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
import java.util.List;
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
        // image formats written as text are images we do not read, not "not an image"
        for (String text :
                List.of(
                        "<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
                        "P3\n2 1\n255\n255 0 0 0 0 255\n")) {
            assertThatThrownBy(() -> decoder.decode(text.getBytes(StandardCharsets.UTF_8)))
                    .extracting(e -> ((DecodeException) e).reason())
                    .isEqualTo(DecodeException.Reason.UNSUPPORTED_FORMAT);
        }
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

    /** Issue 13, item 6: the pixel cap's code for every format, before any reader allocates. */
    @ParameterizedTest
    @ValueSource(strings = {"png", "jpeg", "gif", "bmp", "webp"})
    void refusesEveryFormatsBombByItsDeclaredSize(String format) {
        byte[] bomb =
                switch (format) {
                    case "png" -> pngHeader(50_000, 50_000);
                    case "jpeg" -> jpegHeader(50_000, 50_000);
                    case "gif" -> gifHeader(50_000, 50_000);
                    case "bmp" -> bmpHeader(50_000, 50_000);
                    default -> webpHeader(50_000, 50_000);
                };
        assertThatThrownBy(() -> decoder.decode(bomb))
                .as(format)
                .hasMessageContaining("declares 50000x50000")
                .extracting(e -> ((DecodeException) e).reason())
                .isEqualTo(DecodeException.Reason.TOO_MANY_PIXELS);
    }

    /** Issue 13, item 6: the JDK's PNG reader ignores CRCs; libpng and Pillow refuse them. */
    @Test
    void refusesAPngWhoseCriticalChunkHasAWrongCrc() throws Exception {
        byte[] png = encode(colours(BufferedImage.TYPE_INT_RGB), "png");
        assertThat(decoder.decode(png).width()).isEqualTo(40); // intact, it decodes
        byte[] badIhdrCrc = png.clone();
        badIhdrCrc[8 + 8 + 13] ^= 0x01; // first byte of IHDR's CRC
        assertThatThrownBy(() -> decoder.decode(badIhdrCrc))
                .hasMessageContaining("IHDR has a wrong CRC")
                .extracting(e -> ((DecodeException) e).reason())
                .isEqualTo(DecodeException.Reason.CORRUPT);
        byte[] badIdatCrc = png.clone();
        badIdatCrc[badIdatCrc.length - 12 - 1] ^= 0x01; // last byte of the last IDAT's CRC
        assertThatThrownBy(() -> decoder.decode(badIdatCrc))
                .hasMessageContaining("IDAT has a wrong CRC")
                .extracting(e -> ((DecodeException) e).reason())
                .isEqualTo(DecodeException.Reason.CORRUPT);
    }

    static byte[] jpegHeader(int width, int height) {
        ByteBuffer b = ByteBuffer.allocate(2 + 2 + 17 + 2);
        b.put((byte) 0xff).put((byte) 0xd8).put((byte) 0xff).put((byte) 0xc0).putShort((short) 17);
        b.put((byte) 8).putShort((short) height).putShort((short) width).put((byte) 3);
        for (int c = 1; c <= 3; c++) {
            b.put((byte) c).put((byte) 0x11).put((byte) 0);
        }
        b.put((byte) 0xff).put((byte) 0xd9);
        return b.array();
    }

    static byte[] gifHeader(int width, int height) {
        ByteBuffer b = ByteBuffer.allocate(13 + 10 + 1).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.put("GIF89a".getBytes(StandardCharsets.US_ASCII)).putShort((short) width);
        b.putShort((short) height).put((byte) 0).put((byte) 0).put((byte) 0);
        b.put((byte) 0x2c).putShort((short) 0).putShort((short) 0).putShort((short) width);
        b.putShort((short) height).put((byte) 0).put((byte) 0x3b);
        return b.array();
    }

    static byte[] bmpHeader(int width, int height) {
        ByteBuffer b = ByteBuffer.allocate(54 + 16).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 'B').put((byte) 'M').putInt(54 + 16).putInt(0).putInt(54);
        b.putInt(40).putInt(width).putInt(height).putShort((short) 1).putShort((short) 24);
        b.putInt(0).putInt(0).putInt(2835).putInt(2835).putInt(0).putInt(0);
        return b.array();
    }

    static byte[] webpHeader(int width, int height) {
        ByteBuffer b = ByteBuffer.allocate(12 + 8 + 10).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.put("RIFF".getBytes(StandardCharsets.US_ASCII)).putInt(4 + 8 + 10);
        b.put("WEBPVP8X".getBytes(StandardCharsets.US_ASCII)).putInt(10).putInt(0);
        int w = width - 1;
        int h = height - 1;
        b.put((byte) w).put((byte) (w >> 8)).put((byte) (w >> 16));
        b.put((byte) h).put((byte) (h >> 8)).put((byte) (h >> 16));
        return b.array();
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
