package io.inceptionpipeline.models.weights;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsFileTest {

    @TempDir Path dir;

    @Test
    void roundTripsWhatTheWriterWrites() throws Exception {
        Path file = dir.resolve("w.safetensors");
        float[] conv = {1.5f, -2.25f, 3f, 0f, Float.MIN_VALUE, -0f};
        new SafetensorsWriter()
                .metadata("format", "pt")
                .add("layer.conv.weight", new long[] {3, 2, 1, 1}, conv)
                .add("layer.bn.bias", new long[] {3}, new float[] {7, 8, 9})
                .write(file);

        byte[] bytes = Files.readAllBytes(file);
        long headerLength = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertThat(headerLength % 8).as("header padded to 8 bytes").isZero();

        try (SafetensorsFile st = SafetensorsFile.open(file)) {
            assertThat(st.tensors().keySet()).containsExactly("layer.conv.weight", "layer.bn.bias");
            assertThat(st.tensors().get("layer.conv.weight").shape()).containsExactly(3, 2, 1, 1);
            assertThat(st.metadata()).containsEntry("format", "pt");
            assertThat(st.readFloats("layer.conv.weight")).containsExactly(conv);
            assertThat(st.readFloats("layer.bn.bias")).containsExactly(7, 8, 9);
        }
    }

    @Test
    void readsFilesWrittenByDjlsOwnEncoder() throws Exception {
        Path file = dir.resolve("djl.safetensors");
        try (NDManager manager = NDManager.newBaseManager();
                OutputStream out = Files.newOutputStream(file)) {
            NDArray a = manager.arange(12f).reshape(3, 4);
            a.setName("fc.weight");
            NDArray b = manager.create(new float[] {-1f, 0.5f});
            b.setName("fc.bias");
            new NDList(a, b).encode(out, NDList.Encoding.SAFETENSORS);
        }
        try (SafetensorsFile st = SafetensorsFile.open(file)) {
            assertThat(st.tensors().get("fc.weight").shape()).containsExactly(3, 4);
            assertThat(st.readFloats("fc.weight")[11]).isEqualTo(11f);
            assertThat(st.readFloats("fc.bias")).containsExactly(-1f, 0.5f);
        }
    }

    @Test
    void convertsHalfBfloatAndDoubleToFloat() throws Exception {
        // F16: 1.0 = 0x3c00, -2.0 = 0xc000, 65504 = 0x7bff, smallest subnormal 2^-24 = 0x0001
        // BF16: 1.0 = 0x3f80, -3.0 = 0xc040; F64: 0.1
        ByteBuffer data = ByteBuffer.allocate(8 + 4 + 8).order(ByteOrder.LITTLE_ENDIAN);
        data.putShort((short) 0x3c00)
                .putShort((short) 0xc000)
                .putShort((short) 0x7bff)
                .putShort((short) 0x0001);
        data.putShort((short) 0x3f80).putShort((short) 0xc040);
        data.putDouble(0.1);
        Path file =
                handMade(
                        "{\"h\":{\"dtype\":\"F16\",\"shape\":[4],\"data_offsets\":[0,8]},"
                                + "\"b\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[8,12]},"
                                + "\"d\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[12,20]},"
                                + "\"n\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[12,20]}}",
                        data.array());
        try (SafetensorsFile st = SafetensorsFile.open(file)) {
            assertThat(st.readFloats("h")).containsExactly(1f, -2f, 65504f, 0x1.0p-24f);
            assertThat(st.readFloats("b")).containsExactly(1f, -3f);
            assertThat(st.readFloats("d")).containsExactly(0.1f);
            assertThat(st.tensors().get("n").isFloat()).isFalse();
            assertThatThrownBy(() -> st.readFloats("n")).hasMessageContaining("not floating point");
        }
    }

    @Test
    void refusesPyTorchPickleCheckpointsWithoutReadingThem() throws Exception {
        Path zipped = dir.resolve("model.pt");
        Files.write(zipped, new byte[] {'P', 'K', 3, 4, 20, 0, 0, 0, 8, 0, 0, 0});
        assertThatThrownBy(() -> SafetensorsFile.open(zipped))
                .hasMessageContaining("PyTorch pickle checkpoint")
                .hasMessageContaining("safetensors.torch.save_file");

        Path legacy = dir.resolve("model.pth");
        Files.write(legacy, new byte[] {(byte) 0x80, 2, (byte) 0x8a, 10, 0, 0, 0, 0, 0, 0});
        assertThatThrownBy(() -> SafetensorsFile.open(legacy))
                .hasMessageContaining("PyTorch pickle checkpoint");
    }

    @Test
    void refusesMalformedFilesWithTheReason() throws Exception {
        Path tiny = dir.resolve("tiny.safetensors");
        Files.write(tiny, new byte[] {1, 2, 3});
        assertThatThrownBy(() -> SafetensorsFile.open(tiny))
                .hasMessageContaining("less than the 8-byte header length");

        Path longHeader = dir.resolve("long.safetensors");
        Files.write(
                longHeader,
                ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(1 << 20).array());
        assertThatThrownBy(() -> SafetensorsFile.open(longHeader))
                .hasMessageContaining("does not fit a file of 16 bytes");

        Path notJson = handMade("[1, 2]      ", new byte[0]);
        assertThatThrownBy(() -> SafetensorsFile.open(notJson))
                .hasMessageContaining("not a JSON object");

        Path wrongSize =
                handMade(
                        "{\"w\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}",
                        new byte[12]);
        assertThatThrownBy(() -> SafetensorsFile.open(wrongSize))
                .hasMessageContaining("do not hold 3 values of 4 bytes");

        Path pastEnd =
                handMade(
                        "{\"w\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[4,16]}}",
                        new byte[12]);
        assertThatThrownBy(() -> SafetensorsFile.open(pastEnd))
                .hasMessageContaining("ends at 16 but the data section has 12 bytes");

        Path badType =
                handMade(
                        "{\"w\":{\"dtype\":\"F8\",\"shape\":[1],\"data_offsets\":[0,1]}}",
                        new byte[1]);
        assertThatThrownBy(() -> SafetensorsFile.open(badType))
                .hasMessageContaining("unknown dtype F8");

        Path missingField = handMade("{\"w\":{\"dtype\":\"F32\",\"shape\":[1]}}", new byte[4]);
        assertThatThrownBy(() -> SafetensorsFile.open(missingField))
                .hasMessageContaining("is not {dtype, shape, data_offsets}");
    }

    private Path handMade(String header, byte[] data) throws Exception {
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        Path file = Files.createTempFile(dir, "hand", ".safetensors");
        ByteBuffer all =
                ByteBuffer.allocate(8 + json.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        all.putLong(json.length).put(json).put(data);
        Files.write(file, all.array());
        return file;
    }
}
