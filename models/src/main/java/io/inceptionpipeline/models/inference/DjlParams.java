package io.inceptionpipeline.models.inference;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
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
 * Reads DJL's {@code .params} format as {@code Model.save} writes it: "DJL@", format version, model
 * name, data type, input descriptions, properties, then the block's parameters. Reading the
 * properties first lets a loader build the right network (e.g. a 1001-class head) before the
 * parameters, and reading the exact file avoids DJL's {@code <name>-NNNN.params} lookup, so a
 * renamed file still loads.
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
        try (DataInputStream in = open(file)) {
            return readHeader(file, in);
        }
    }

    /** Loads the parameters of {@code file} into {@code block}, which must be initialized. */
    static void load(Path file, Block block, NDManager manager) throws IOException {
        try (DataInputStream in = open(file)) {
            readHeader(file, in);
            block.loadParameters(manager, in);
        } catch (MalformedModelException | RuntimeException e) {
            throw new IOException(
                    "Cannot read DJL parameters "
                            + file
                            + " into "
                            + block.getClass().getSimpleName()
                            + ": "
                            + e.getMessage(),
                    e);
        }
    }

    private static DataInputStream open(Path file) throws IOException {
        return new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 20));
    }

    private static Map<String, String> readHeader(Path file, DataInputStream in)
            throws IOException {
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
