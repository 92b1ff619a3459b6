package io.inceptionpipeline.models.weights;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes float32 tensors as a {@code .safetensors} file, the format timm and Hugging Face publish
 * weights in. The header is padded with spaces to a multiple of 8 bytes, as the reference writer
 * does, so tensor data stays aligned.
 */
public final class SafetensorsWriter {

    private record Entry(String name, long[] shape, float[] values) {}

    private final List<Entry> entries = new ArrayList<>();
    private final Map<String, String> metadata = new LinkedHashMap<>();

    /** Adds a float32 tensor; {@code values.length} must equal the product of {@code shape}. */
    public SafetensorsWriter add(String name, long[] shape, float[] values) {
        long size = 1;
        for (long d : shape) {
            size *= d;
        }
        if (size != values.length) {
            throw new IllegalArgumentException(
                    "Tensor " + name + ": shape holds " + size + " values, got " + values.length);
        }
        entries.add(new Entry(name, shape.clone(), values));
        return this;
    }

    /** Adds a {@code __metadata__} entry. */
    public SafetensorsWriter metadata(String key, String value) {
        metadata.put(key, value);
        return this;
    }

    /** Writes the file. */
    public void write(Path path) throws IOException {
        JsonObject header = new JsonObject();
        if (!metadata.isEmpty()) {
            JsonObject meta = new JsonObject();
            metadata.forEach(meta::addProperty);
            header.add("__metadata__", meta);
        }
        long offset = 0;
        for (Entry entry : entries) {
            JsonObject tensor = new JsonObject();
            tensor.addProperty("dtype", "F32");
            JsonArray shape = new JsonArray();
            for (long d : entry.shape()) {
                shape.add(d);
            }
            tensor.add("shape", shape);
            JsonArray offsets = new JsonArray();
            offsets.add(offset);
            offset += 4L * entry.values().length;
            offsets.add(offset);
            tensor.add("data_offsets", offsets);
            header.add(entry.name(), tensor);
        }
        byte[] json = header.toString().getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(path), 1 << 20)) {
            ByteBuffer length = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            out.write(length.putLong(padded).array());
            out.write(json);
            for (int i = json.length; i < padded; i++) {
                out.write(' ');
            }
            ByteBuffer chunk = ByteBuffer.allocate(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
            for (Entry entry : entries) {
                for (float v : entry.values()) {
                    if (!chunk.hasRemaining()) {
                        out.write(chunk.array(), 0, chunk.position());
                        chunk.clear();
                    }
                    chunk.putFloat(v);
                }
            }
            out.write(chunk.array(), 0, chunk.position());
        }
    }
}
