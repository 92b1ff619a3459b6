package io.inceptionpipeline.models.inference;

import ai.djl.ndarray.types.Shape;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads the header of a DJL {@code .params} file ({@code Model.save}: "DJL@", version, name, data
 * type, input descriptions, properties, then the block's parameters), so a loader can build the
 * right network before DJL reads the parameters.
 */
final class DjlParams {

    static final String MAGIC = "DJL@";

    private DjlParams() {}

    /** Whether {@code file} starts with DJL's magic. */
    static boolean isDjlParams(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] magic = in.readNBytes(4);
            return MAGIC.equals(new String(magic, StandardCharsets.US_ASCII));
        }
    }

    /** The properties stored in the header. */
    static Map<String, String> properties(Path file) throws IOException {
        try (DataInputStream in =
                new DataInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
            byte[] magic = new byte[4];
            in.readFully(magic);
            if (!MAGIC.equals(new String(magic, StandardCharsets.US_ASCII))) {
                throw new IOException(file + " is not a DJL .params file");
            }
            in.readInt(); // format version
            in.readUTF(); // model name
            in.readUTF(); // data type
            int inputs = in.readInt();
            for (int i = 0; i < inputs; i++) {
                in.readUTF();
                Shape.decode(in);
            }
            int count = in.readInt();
            Map<String, String> properties = new LinkedHashMap<>();
            for (int i = 0; i < count; i++) {
                properties.put(in.readUTF(), in.readUTF());
            }
            return properties;
        }
    }
}
