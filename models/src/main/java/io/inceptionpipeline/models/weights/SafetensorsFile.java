package io.inceptionpipeline.models.weights;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads a {@code .safetensors} file (8-byte little-endian header length, JSON header, raw
 * little-endian tensor data) one tensor at a time, so a 220 MB checkpoint is never held twice.
 * Every offset and size in the header is checked against the file before anything is read.
 *
 * <p>F32, F16, BF16 and F64 tensors read as float; integer tensors (such as BatchNorm's {@code
 * num_batches_tracked}) are listed but not converted.
 */
public final class SafetensorsFile implements AutoCloseable {

    /** Headers larger than this are refused: real ones are a few hundred KB. */
    static final long MAX_HEADER_BYTES = 100L << 20;

    /** One entry of the header. Offsets are relative to the start of the data section. */
    public record Tensor(String name, String dtype, long[] shape, long begin, long end) {

        /** Number of elements. */
        public long size() {
            long n = 1;
            for (long d : shape) {
                n = Math.multiplyExact(n, d);
            }
            return n;
        }

        /** Whether {@link #readFloats} converts this dtype. */
        public boolean isFloat() {
            return dtypeBytes(dtype) > 0
                    && !dtype.startsWith("I")
                    && !dtype.startsWith("U")
                    && !dtype.equals("BOOL");
        }

        @Override
        public String toString() {
            return name + " " + dtype + Arrays.toString(shape);
        }
    }

    private final Path path;
    private final FileChannel channel;
    private final long dataStart;
    private final Map<String, Tensor> tensors;
    private final Map<String, String> metadata;

    private SafetensorsFile(
            Path path,
            FileChannel channel,
            long dataStart,
            Map<String, Tensor> tensors,
            Map<String, String> metadata) {
        this.path = path;
        this.channel = channel;
        this.dataStart = dataStart;
        this.tensors = tensors;
        this.metadata = metadata;
    }

    /** Opens and validates the header of {@code path}. */
    public static SafetensorsFile open(Path path) throws IOException {
        FileChannel channel = FileChannel.open(path, StandardOpenOption.READ);
        try {
            long fileSize = channel.size();
            if (fileSize < 8) {
                throw malformed(
                        path,
                        "file has " + fileSize + " bytes, less than the 8-byte header length");
            }
            ByteBuffer lengthBytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(channel, lengthBytes, 0);
            long headerLength = lengthBytes.flip().getLong();
            if (headerLength <= 0
                    || headerLength > MAX_HEADER_BYTES
                    || 8 + headerLength > fileSize) {
                if (isPickle(lengthBytes.array())) {
                    throw new IOException(
                            path
                                    + " is a PyTorch pickle checkpoint (torch.save), which this"
                                    + " project never loads: unpickling runs code from the file."
                                    + " Save the state dict with safetensors.torch.save_file.");
                }
                throw malformed(
                        path,
                        "header length "
                                + headerLength
                                + " does not fit a file of "
                                + fileSize
                                + " bytes");
            }
            ByteBuffer headerBytes = ByteBuffer.allocate((int) headerLength);
            readFully(channel, headerBytes, 8);
            String json = new String(headerBytes.array(), StandardCharsets.UTF_8);
            long dataStart = 8 + headerLength;
            long dataSize = fileSize - dataStart;

            JsonObject header;
            try {
                header = JsonParser.parseString(json).getAsJsonObject();
            } catch (JsonParseException | IllegalStateException e) {
                throw malformed(path, "header is not a JSON object: " + e.getMessage());
            }
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            Map<String, String> metadata = new LinkedHashMap<>();
            for (Map.Entry<String, JsonElement> entry : header.entrySet()) {
                if (entry.getKey().equals("__metadata__")) {
                    for (Map.Entry<String, JsonElement> m :
                            entry.getValue().getAsJsonObject().entrySet()) {
                        metadata.put(m.getKey(), m.getValue().getAsString());
                    }
                    continue;
                }
                Tensor tensor = parseTensor(path, entry.getKey(), entry.getValue());
                if (tensor.end() > dataSize) {
                    throw malformed(
                            path,
                            "tensor "
                                    + tensor.name()
                                    + " ends at "
                                    + tensor.end()
                                    + " but the data section has "
                                    + dataSize
                                    + " bytes");
                }
                tensors.put(tensor.name(), tensor);
            }
            return new SafetensorsFile(
                    path,
                    channel,
                    dataStart,
                    Collections.unmodifiableMap(tensors),
                    Collections.unmodifiableMap(metadata));
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    private static Tensor parseTensor(Path path, String name, JsonElement element)
            throws IOException {
        try {
            JsonObject o = element.getAsJsonObject();
            String dtype = o.get("dtype").getAsString();
            long[] shape = new long[o.getAsJsonArray("shape").size()];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = o.getAsJsonArray("shape").get(i).getAsLong();
                if (shape[i] < 0) {
                    throw malformed(path, "tensor " + name + " has a negative dimension");
                }
            }
            long begin = o.getAsJsonArray("data_offsets").get(0).getAsLong();
            long end = o.getAsJsonArray("data_offsets").get(1).getAsLong();
            Tensor tensor = new Tensor(name, dtype, shape, begin, end);
            int width = dtypeBytes(dtype);
            if (width <= 0) {
                throw malformed(path, "tensor " + name + " has unknown dtype " + dtype);
            }
            if (begin < 0
                    || end < begin
                    || end - begin != Math.multiplyExact(tensor.size(), (long) width)) {
                throw malformed(
                        path,
                        "tensor "
                                + tensor
                                + " has data_offsets ["
                                + begin
                                + ", "
                                + end
                                + "], which do not hold "
                                + tensor.size()
                                + " values of "
                                + width
                                + " bytes");
            }
            return tensor;
        } catch (NullPointerException
                | IllegalStateException
                | UnsupportedOperationException
                | IndexOutOfBoundsException
                | ArithmeticException e) {
            throw malformed(
                    path, "entry " + name + " is not {dtype, shape, data_offsets}: " + element);
        }
    }

    /** Bytes per value of a safetensors dtype, or -1 if unknown. */
    static int dtypeBytes(String dtype) {
        switch (dtype) {
            case "F64":
            case "I64":
            case "U64":
                return 8;
            case "F32":
            case "I32":
            case "U32":
                return 4;
            case "F16":
            case "BF16":
            case "I16":
            case "U16":
                return 2;
            case "I8":
            case "U8":
            case "BOOL":
                return 1;
            default:
                return -1;
        }
    }

    /** Tensors in header order. */
    public Map<String, Tensor> tensors() {
        return tensors;
    }

    /** The optional {@code __metadata__} string map. */
    public Map<String, String> metadata() {
        return metadata;
    }

    /** Reads a floating-point tensor, converting F16, BF16 and F64 to float. */
    public float[] readFloats(String name) throws IOException {
        Tensor tensor = tensors.get(name);
        if (tensor == null) {
            throw new IllegalArgumentException("No tensor " + name + " in " + path);
        }
        if (!tensor.isFloat()) {
            throw new IllegalArgumentException(
                    "Tensor " + tensor + " in " + path + " is not floating point");
        }
        ByteBuffer bytes =
                ByteBuffer.allocate(Math.toIntExact(tensor.end() - tensor.begin()))
                        .order(ByteOrder.LITTLE_ENDIAN);
        readFully(channel, bytes, dataStart + tensor.begin());
        bytes.flip();
        float[] values = new float[Math.toIntExact(tensor.size())];
        switch (tensor.dtype()) {
            case "F32":
                FloatBuffer floats = bytes.asFloatBuffer();
                floats.get(values);
                break;
            case "F64":
                for (int i = 0; i < values.length; i++) {
                    values[i] = (float) bytes.getDouble();
                }
                break;
            case "F16":
                for (int i = 0; i < values.length; i++) {
                    values[i] = halfToFloat(bytes.getShort());
                }
                break;
            case "BF16":
                for (int i = 0; i < values.length; i++) {
                    values[i] = Float.intBitsToFloat((bytes.getShort() & 0xffff) << 16);
                }
                break;
            default:
                throw new IllegalStateException(tensor.dtype());
        }
        return values;
    }

    /** IEEE 754 binary16 to float (Float.float16ToFloat arrived only in Java 20). */
    static float halfToFloat(short half) {
        int bits = half & 0xffff;
        int sign = (bits & 0x8000) << 16;
        int exponent = (bits >>> 10) & 0x1f;
        int mantissa = bits & 0x3ff;
        if (exponent == 0x1f) { // infinity or NaN
            return Float.intBitsToFloat(sign | 0x7f800000 | (mantissa << 13));
        }
        if (exponent == 0) {
            if (mantissa == 0) {
                return Float.intBitsToFloat(sign);
            }
            float subnormal = mantissa * 0x1.0p-24f; // exact: 10-bit mantissa times 2^-24
            return sign == 0 ? subnormal : -subnormal;
        }
        return Float.intBitsToFloat(sign | ((exponent + 112) << 23) | (mantissa << 13));
    }

    private static void readFully(FileChannel channel, ByteBuffer buffer, long position)
            throws IOException {
        long at = position;
        while (buffer.hasRemaining()) {
            int n = channel.read(buffer, at);
            if (n < 0) {
                throw new IOException("Unexpected end of file at byte " + at);
            }
            at += n;
        }
    }

    /**
     * Whether a file that is not safetensors looks like what {@code torch.save} writes: a zip
     * archive holding a pickle ({@code PK\3\4}), or a bare pickle (protocol 2 to 5: {@code 0x80},
     * then the protocol number).
     */
    static boolean isPickle(byte[] start) {
        boolean zip = start[0] == 'P' && start[1] == 'K' && start[2] == 3 && start[3] == 4;
        boolean pickle = (start[0] & 0xff) == 0x80 && start[1] >= 2 && start[1] <= 5;
        return zip || pickle;
    }

    private static IOException malformed(Path path, String why) {
        return new IOException("Malformed safetensors file " + path + ": " + why);
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
