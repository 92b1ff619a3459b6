package io.inceptionpipeline.operators.decode;

import static org.assertj.core.api.Assertions.assertThat;

import io.inceptionpipeline.models.image.RgbImage;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link PngDecoder}, the PNG path without ImageIO, against the ImageIO path and against pixels
 * known by construction: PNGs written here by a small encoder (every filter type, every 8-bit
 * colour type, odd widths, split and empty IDAT chunks), the Pillow fixtures, the sample photos,
 * and the unusual files it must leave to ImageIO (null), which then decodes or fails as before.
 */
class PngDecoderTest {

    private static final int GREY = 0;
    private static final int RGB = 2;
    private static final int PALETTE = 3;
    private static final int GREY_ALPHA = 4;
    private static final int RGBA = 6;

    private final ImageDecoder decoder = new ImageDecoder();

    static Stream<Arguments> colourTypesAndWidths() {
        return IntStream.of(GREY, RGB, PALETTE, GREY_ALPHA, RGBA)
                .boxed()
                .flatMap(c -> IntStream.of(1, 3, 17, 301).mapToObj(w -> Arguments.of(c, w)));
    }

    @ParameterizedTest(name = "colour type {0}, width {1}")
    @MethodSource("colourTypesAndWidths")
    void decodesEveryFilterAndColourTypeAsImageIoDoes(int colourType, int width) throws Exception {
        TestImage image = TestImage.random(colourType, width, 13, 7L * width + colourType);
        byte[] png = image.png(List.of(), 1);

        RgbImage fast = PngDecoder.decode(png, IccMode.IGNORE);

        assertThat(fast).as("taken by the fast path").isNotNull();
        assertThat(fast.width()).isEqualTo(width);
        assertThat(fast.height()).isEqualTo(13);
        assertThat(fast.pixels()).isEqualTo(image.expectedRgb());
        assertThat(decoder.decode(png, false).pixels()).isEqualTo(image.expectedRgb());
        assertThat(decoder.decode(png).pixels()).isEqualTo(image.expectedRgb());
    }

    @Test
    void writesEveryFilterTypeInTheGeneratedImages() {
        TestImage image = TestImage.random(RGB, 17, 13, 1);
        assertThat(image.filters).contains(0, 1, 2, 3, 4);
    }

    @ParameterizedTest
    @ValueSource(ints = {GREY, RGB, PALETTE})
    void ignoresTransparencyAndAncillaryChunksAsImageIoDoes(int colourType) throws Exception {
        TestImage image = TestImage.random(colourType, 31, 9, 11);
        List<Chunk> chunks = new ArrayList<>();
        chunks.add(new Chunk("gAMA", new byte[] {0, 0, (byte) 0xb1, (byte) 0x8f}));
        chunks.add(new Chunk("pHYs", new byte[] {0, 0, 0x0b, 0x13, 0, 0, 0x0b, 0x13, 1}));
        chunks.add(new Chunk("tEXt", "Comment\0made by a test".getBytes(StandardCharsets.UTF_8)));
        chunks.add(new Chunk("eXIf", new byte[] {'M', 'M', 0, 42, 0, 0, 0, 8, 0, 0}));
        // A transparent colour taken from the image, so ImageIO's alpha band has zeros in it.
        byte[] first = Arrays.copyOf(image.raw, colourType == RGB ? 3 : 1);
        byte[] trns =
                switch (colourType) {
                    case GREY -> new byte[] {0, first[0]};
                    case RGB -> new byte[] {0, first[0], 0, first[1], 0, first[2]};
                    default -> new byte[] {0, (byte) 128, (byte) 255, 0, 7};
                };
        chunks.add(new Chunk("tRNS", trns));
        byte[] png = image.png(chunks, 3);

        RgbImage fast = PngDecoder.decode(png, IccMode.IGNORE);

        assertThat(fast).as("taken by the fast path").isNotNull();
        assertThat(fast.pixels()).isEqualTo(image.expectedRgb());
        assertThat(decoder.decode(png, false).pixels()).isEqualTo(image.expectedRgb());
    }

    @Test
    void concatenatesSplitAndEmptyIdatChunks() throws Exception {
        TestImage image = TestImage.random(RGBA, 301, 20, 3);
        for (int pieces : new int[] {2, 7, 500}) {
            byte[] png = image.png(List.of(), pieces);
            assertThat(PngDecoder.decode(png, IccMode.IGNORE).pixels())
                    .as("%d IDAT chunks", pieces)
                    .isEqualTo(image.expectedRgb());
        }
        List<byte[]> parts = new ArrayList<>(image.idatData(3));
        parts.add(0, new byte[0]);
        parts.add(2, new byte[0]);
        parts.add(new byte[0]);
        byte[] png = image.png(List.of(), parts);
        assertThat(PngDecoder.decode(png, IccMode.IGNORE).pixels()).isEqualTo(image.expectedRgb());
    }

    /** Pillow's bytes for the fixtures the fast path takes: parity proven for this path itself. */
    @ParameterizedTest
    @ValueSource(
            strings = {
                "rgba8.png",
                "greyalpha8.png",
                "rgb8-trns.png",
                "palette8-trns.png",
                "rgb8-iccp.png"
            })
    void decodesPillowsFixturesExactly(String name) throws Exception {
        RgbImage fast = PngDecoder.decode(PixelParityTest.resource(name), IccMode.IGNORE);
        assertThat(fast).as("%s taken by the fast path", name).isNotNull();
        assertThat(fast.pixels()).isEqualTo(PixelParityTest.resource(name + ".rgb"));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "rgb16.png",
                "rgb16-trns.png",
                "rgba16.png",
                "greyalpha16.png",
                "grey16.png",
                "grey16-trns.png",
                "grey1.png",
                "grey2.png",
                "grey4.png",
                "palette4.png"
            })
    void leavesOtherBitDepthsToImageIo(String name) throws Exception {
        assertThat(PngDecoder.decode(PixelParityTest.resource(name), IccMode.IGNORE)).isNull();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "chelsea.png",
                "camera.png",
                "horse.png",
                "fashion-mnist-test-00000-ankle-boot.png"
            })
    void decodesTheSamplePhotosAsImageIoDoes(String name) throws Exception {
        byte[] png = Files.readAllBytes(Path.of("../samples/images", name));
        RgbImage fast = PngDecoder.decode(png, IccMode.IGNORE);
        assertThat(fast).as("%s taken by the fast path", name).isNotNull();
        assertThat(fast.pixels()).isEqualTo(decoder.decode(png, false).pixels());
    }

    @Test
    void leavesAnIccProfileToImageIoOnlyWhenConverting() throws Exception {
        byte[] png = PixelParityTest.resource("rgb8-iccp.png");
        assertThat(PngDecoder.decode(png, IccMode.IGNORE)).isNotNull();
        assertThat(PngDecoder.decode(png, IccMode.CONVERT)).isNull();
        ImageDecoder converting =
                new ImageDecoder(ImageDecoder.DEFAULT_MAX_PIXELS, IccMode.CONVERT);
        assertThat(converting.decode(png).pixels())
                .as("converted with the profile, as before")
                .isEqualTo(converting.decode(png, false).pixels())
                .isNotEqualTo(PixelParityTest.resource("rgb8-iccp.png.rgb"));

        TestImage image = TestImage.random(RGB, 17, 5, 2);
        byte[] withoutProfile = image.png(List.of(), 1);
        assertThat(PngDecoder.decode(withoutProfile, IccMode.CONVERT).pixels())
                .isEqualTo(image.expectedRgb())
                .isEqualTo(converting.decode(withoutProfile, false).pixels());
    }

    /**
     * Under CONVERT the JDK's reader parses every chunk and names enumerated values from arrays: an
     * sRGB rendering intent of 7 fails there, so it is left to that path, whatever it gives.
     */
    @Test
    void leavesMetadataTheJdkCannotNameToImageIoWhenConverting() throws Exception {
        TestImage image = TestImage.random(RGB, 17, 5, 10);
        byte[] png = image.png(List.of(new Chunk("sRGB", new byte[] {7})), 1);
        ImageDecoder converting =
                new ImageDecoder(ImageDecoder.DEFAULT_MAX_PIXELS, IccMode.CONVERT);
        assertThat(PngDecoder.decode(png, IccMode.IGNORE).pixels()).isEqualTo(image.expectedRgb());
        assertThat(PngDecoder.decode(png, IccMode.CONVERT)).isNull();
        assertThat(outcome(() -> converting.decode(png)))
                .isEqualTo(outcome(() -> converting.decode(png, false)));
        byte[] validIntent = image.png(List.of(new Chunk("sRGB", new byte[] {0})), 1);
        assertThat(PngDecoder.decode(validIntent, IccMode.CONVERT).pixels())
                .isEqualTo(image.expectedRgb())
                .isEqualTo(converting.decode(validIntent, false).pixels());
    }

    static Stream<Arguments> unusualPngs() {
        TestImage rgb = TestImage.random(RGB, 17, 6, 4);
        TestImage palette = TestImage.random(PALETTE, 17, 6, 5);
        byte[] scanlines = rgb.scanlines();
        byte[] badFilter = scanlines.clone();
        badFilter[2 * (1 + 17 * 3)] = 5; // the third row's filter byte
        byte[] zlib = zlib(scanlines);
        byte[] badChecksum = zlib.clone();
        badChecksum[badChecksum.length - 1] ^= 1;
        byte[] outOfPalette = palette.raw.clone();
        outOfPalette[40] = (byte) palette.entries; // one past the last entry
        return Stream.of(
                Arguments.of("interlaced", rgb.withHeader(8, RGB, 1).png(List.of(), 1)),
                Arguments.of("16-bit", sixteenBit()),
                Arguments.of("filter type 5", rgb.png(List.of(), List.of(zlib(badFilter)))),
                Arguments.of(
                        "zlib stream cut",
                        rgb.png(List.of(), List.of(Arrays.copyOf(zlib, zlib.length / 2)))),
                Arguments.of(
                        "zlib stream without its checksum",
                        rgb.png(List.of(), List.of(Arrays.copyOf(zlib, zlib.length - 4)))),
                Arguments.of("wrong zlib checksum", rgb.png(List.of(), List.of(badChecksum))),
                Arguments.of(
                        "a row too few",
                        rgb.png(
                                List.of(),
                                List.of(zlib(Arrays.copyOf(scanlines, scanlines.length - 52))))),
                Arguments.of(
                        "inflated data too long",
                        rgb.png(
                                List.of(),
                                List.of(zlib(Arrays.copyOf(scanlines, scanlines.length + 1))))),
                Arguments.of(
                        "bytes after the zlib stream",
                        rgb.png(List.of(), List.of(Arrays.copyOf(zlib, zlib.length + 3)))),
                Arguments.of(
                        "an IDAT chunk after the zlib stream",
                        rgb.png(List.of(), List.of(zlib, new byte[] {1, 2, 3}))),
                Arguments.of("IDAT chunks apart", gapped(rgb, zlib, zlib.length / 2)),
                Arguments.of("an IDAT chunk after a gap", gapped(rgb, zlib, zlib.length)),
                Arguments.of(
                        "palette tRNS before PLTE",
                        palette.png(
                                List.of(
                                        new Chunk("tRNS", new byte[] {0, 0}),
                                        new Chunk("PLTE", palette.palette)),
                                1,
                                false)),
                Arguments.of(
                        "palette index past the palette",
                        palette.withRaw(outOfPalette).png(List.of(), 1)),
                Arguments.of("palette without PLTE", palette.png(List.of(), 1, false)),
                Arguments.of(
                        "PLTE in a grey image",
                        TestImage.random(GREY, 9, 4, 6)
                                .png(List.of(new Chunk("PLTE", new byte[] {1, 2, 3})), 1)),
                Arguments.of(
                        "tRNS in an RGBA image",
                        TestImage.random(RGBA, 9, 4, 7)
                                .png(List.of(new Chunk("tRNS", new byte[] {0, 1})), 1)),
                Arguments.of(
                        "palette with a gAMA chunk the JDK misreads",
                        palette.png(List.of(new Chunk("gAMA", new byte[] {0, 1, 2})), 1)),
                Arguments.of(
                        "unknown critical chunk",
                        rgb.png(List.of(new Chunk("CRIT", new byte[] {1})), 1)),
                Arguments.of("decompression bomb", bomb()));
    }

    /** Each unusual file is left to ImageIO, which gives what it gave without the fast path. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("unusualPngs")
    void leavesUnusualFilesToImageIo(String what, byte[] png) {
        assertThat(PngDecoder.decode(png, IccMode.IGNORE)).isNull();
        assertThat(outcome(() -> decoder.decode(png)))
                .isEqualTo(outcome(() -> decoder.decode(png, false)));
    }

    /** A 64 x 64 RGB header over 16 MiB of inflated zeros: only the image's size is inflated. */
    private static byte[] bomb() {
        TestImage image = TestImage.random(RGB, 64, 64, 8);
        return image.png(List.of(), List.of(zlib(new byte[16 << 20])));
    }

    private static byte[] sixteenBit() {
        TestImage image = TestImage.random(RGB, 17, 6, 9);
        byte[] deep = new byte[image.raw.length * 2];
        for (int i = 0; i < image.raw.length; i++) {
            deep[2 * i] = image.raw[i];
            deep[2 * i + 1] = (byte) i;
        }
        return image.withHeader(16, RGB, 0).withRaw(deep).png(List.of(), 1);
    }

    /**
     * The image data cut at {@code cut} into two IDAT chunks with a tEXt chunk between them (the
     * second holds three stray bytes when the first has it all).
     */
    private static byte[] gapped(TestImage image, byte[] zlib, int cut) {
        ByteArrayOutputStream png = image.start(List.of());
        writeChunk(png, "IDAT", Arrays.copyOf(zlib, cut));
        writeChunk(png, "tEXt", "a\0b".getBytes(StandardCharsets.US_ASCII));
        byte[] rest = Arrays.copyOfRange(zlib, cut, zlib.length);
        writeChunk(png, "IDAT", rest.length > 0 ? rest : new byte[] {1, 2, 3});
        writeChunk(png, "IEND", new byte[0]);
        return png.toByteArray();
    }

    private interface Decoding {
        RgbImage run() throws DecodeException;
    }

    /** The pixels (with the size), or the failure's reason and message. */
    private static List<Object> outcome(Decoding decoding) {
        try {
            RgbImage image = decoding.run();
            return List.of(image.width(), image.height(), ByteBuffer.wrap(image.pixels()));
        } catch (DecodeException e) {
            return List.of(e.reason(), e.getMessage());
        }
    }

    private record Chunk(String type, byte[] data) {}

    /**
     * A PNG written here: raw samples, a filter type per row (cycling through all five, then
     * random), an optional palette, encoded with {@link Deflater} and {@link CRC32}.
     */
    private static final class TestImage {
        final int width;
        final int height;
        final int colourType;
        final int bitDepth;
        final int interlace;
        final byte[] raw;
        final int[] filters;
        final byte[] palette; // RGB triplets, or null
        final int entries;

        TestImage(
                int width,
                int height,
                int colourType,
                int bitDepth,
                int interlace,
                byte[] raw,
                int[] filters,
                byte[] palette) {
            this.width = width;
            this.height = height;
            this.colourType = colourType;
            this.bitDepth = bitDepth;
            this.interlace = interlace;
            this.raw = raw;
            this.filters = filters;
            this.palette = palette;
            this.entries = palette == null ? 0 : palette.length / 3;
        }

        static TestImage random(int colourType, int width, int height, long seed) {
            Random random = new Random(seed);
            byte[] palette = null;
            byte[] raw = new byte[height * width * channels(colourType)];
            random.nextBytes(raw);
            if (colourType == PALETTE) {
                int entries = 1 + random.nextInt(200); // fewer than 256 entries
                palette = new byte[3 * entries];
                random.nextBytes(palette);
                for (int i = 0; i < raw.length; i++) {
                    raw[i] = (byte) random.nextInt(entries);
                }
            }
            int[] filters = new int[height];
            for (int y = 0; y < height; y++) {
                filters[y] = y < 10 ? y % 5 : random.nextInt(5);
            }
            return new TestImage(width, height, colourType, 8, 0, raw, filters, palette);
        }

        TestImage withHeader(int depth, int type, int interlacing) {
            return new TestImage(width, height, type, depth, interlacing, raw, filters, palette);
        }

        TestImage withRaw(byte[] samples) {
            return new TestImage(
                    width, height, colourType, bitDepth, interlace, samples, filters, palette);
        }

        /** Pillow's convert("RGB") of the raw samples, computed directly. */
        byte[] expectedRgb() {
            byte[] out = new byte[3 * width * height];
            int channels = channels(colourType);
            for (int p = 0; p < width * height; p++) {
                for (int c = 0; c < 3; c++) {
                    out[3 * p + c] =
                            switch (colourType) {
                                case GREY, GREY_ALPHA -> raw[channels * p];
                                case PALETTE -> palette[3 * (raw[p] & 0xff) + c];
                                default -> raw[channels * p + c];
                            };
                }
            }
            return out;
        }

        /** The filtered rows, each after its filter type byte. */
        byte[] scanlines() {
            int bpp = channels(colourType) * bitDepth / 8;
            int rowBytes = width * bpp;
            byte[] out = new byte[height * (1 + rowBytes)];
            for (int y = 0; y < height; y++) {
                out[y * (1 + rowBytes)] = (byte) filters[y];
                for (int i = 0; i < rowBytes; i++) {
                    int x = raw[y * rowBytes + i] & 0xff;
                    int a = i >= bpp ? raw[y * rowBytes + i - bpp] & 0xff : 0;
                    int b = y > 0 ? raw[(y - 1) * rowBytes + i] & 0xff : 0;
                    int c = y > 0 && i >= bpp ? raw[(y - 1) * rowBytes + i - bpp] & 0xff : 0;
                    int predicted =
                            switch (filters[y]) {
                                case 0 -> 0;
                                case 1 -> a;
                                case 2 -> b;
                                case 3 -> (a + b) / 2;
                                default -> paeth(a, b, c);
                            };
                    out[y * (1 + rowBytes) + 1 + i] = (byte) (x - predicted);
                }
            }
            return out;
        }

        /** The PNG specification's predictor, as written there. */
        private static int paeth(int a, int b, int c) {
            int p = a + b - c;
            int pa = Math.abs(p - a);
            int pb = Math.abs(p - b);
            int pc = Math.abs(p - c);
            if (pa <= pb && pa <= pc) {
                return a;
            }
            return pb <= pc ? b : c;
        }

        /** The zlib stream of the scanlines cut into {@code pieces} parts. */
        List<byte[]> idatData(int pieces) {
            byte[] zlib = zlib(scanlines());
            List<byte[]> parts = new ArrayList<>();
            int size = Math.max(1, (zlib.length + pieces - 1) / pieces);
            for (int at = 0; at < zlib.length; at += size) {
                parts.add(Arrays.copyOfRange(zlib, at, Math.min(zlib.length, at + size)));
            }
            return parts;
        }

        byte[] png(List<Chunk> beforeData, int pieces) {
            return png(beforeData, idatData(pieces), true);
        }

        byte[] png(List<Chunk> beforeData, int pieces, boolean withPalette) {
            return png(beforeData, idatData(pieces), withPalette);
        }

        byte[] png(List<Chunk> beforeData, List<byte[]> idats) {
            return png(beforeData, idats, true);
        }

        private byte[] png(List<Chunk> beforeData, List<byte[]> idats, boolean withPalette) {
            ByteArrayOutputStream png = start(beforeData, withPalette);
            for (byte[] idat : idats) {
                writeChunk(png, "IDAT", idat);
            }
            writeChunk(png, "IEND", new byte[0]);
            return png.toByteArray();
        }

        /** Signature, IHDR, PLTE (for a palette) and the given chunks, in that order. */
        ByteArrayOutputStream start(List<Chunk> beforeData) {
            return start(beforeData, true);
        }

        private ByteArrayOutputStream start(List<Chunk> beforeData, boolean withPalette) {
            ByteArrayOutputStream png = new ByteArrayOutputStream();
            png.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
            ByteBuffer ihdr = ByteBuffer.allocate(13).putInt(width).putInt(height);
            ihdr.put((byte) bitDepth).put((byte) colourType).put((byte) 0).put((byte) 0);
            ihdr.put((byte) interlace);
            writeChunk(png, "IHDR", ihdr.array());
            if (palette != null && withPalette) {
                writeChunk(png, "PLTE", palette);
            }
            for (Chunk chunk : beforeData) {
                writeChunk(png, chunk.type(), chunk.data());
            }
            return png;
        }
    }

    private static int channels(int colourType) {
        return switch (colourType) {
            case GREY, PALETTE -> 1;
            case GREY_ALPHA -> 2;
            case RGB -> 3;
            default -> 4;
        };
    }

    private static byte[] zlib(byte[] data) {
        Deflater deflater = new Deflater(6);
        try {
            deflater.setInput(data);
            deflater.finish();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buffer = new byte[1 << 16];
            while (!deflater.finished()) {
                out.write(buffer, 0, deflater.deflate(buffer));
            }
            return out.toByteArray();
        } finally {
            deflater.end();
        }
    }

    private static void writeChunk(ByteArrayOutputStream png, String type, byte[] data) {
        byte[] name = type.getBytes(StandardCharsets.US_ASCII);
        CRC32 crc = new CRC32();
        crc.update(name);
        crc.update(data);
        png.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
        png.writeBytes(name);
        png.writeBytes(data);
        png.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }
}
