package io.inceptionpipeline.pipeline.archive;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.connector.source.SourceSplit;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.core.memory.DataOutputView;

/**
 * A run of listed keys of an S3 prefix handed to one reader ({@link S3KeysReader}); in a reader's
 * checkpoint, the keys it has not emitted yet.
 */
record S3KeysSplit(String splitId, List<ListedKey> keys) implements SourceSplit {

    /** A key and its 1-based position in the listing (the request's offset in dead letters). */
    record ListedKey(long position, String key) {}

    S3KeysSplit {
        keys = List.copyOf(keys);
    }

    /** The split without its first {@code emitted} keys. */
    S3KeysSplit remaining(int emitted) {
        return new S3KeysSplit(splitId, keys.subList(emitted, keys.size()));
    }

    /** Version 1: the id, then the number of keys and each key's position and UTF-8 bytes. */
    static final class Serializer implements SimpleVersionedSerializer<S3KeysSplit> {

        static final Serializer INSTANCE = new Serializer();

        @Override
        public int getVersion() {
            return 1;
        }

        @Override
        public byte[] serialize(S3KeysSplit split) throws IOException {
            DataOutputSerializer out = new DataOutputSerializer(64 + 64 * split.keys.size());
            writeString(out, split.splitId);
            writeKeys(out, split.keys);
            return out.getCopyOfBuffer();
        }

        @Override
        public S3KeysSplit deserialize(int version, byte[] serialized) throws IOException {
            checkVersion(version, this);
            DataInputDeserializer in = new DataInputDeserializer(serialized);
            return new S3KeysSplit(readString(in), readKeys(in));
        }
    }

    static void writeKeys(DataOutputView out, List<ListedKey> keys) throws IOException {
        out.writeInt(keys.size());
        for (ListedKey key : keys) {
            out.writeLong(key.position());
            writeString(out, key.key());
        }
    }

    static List<ListedKey> readKeys(DataInputView in) throws IOException {
        int count = in.readInt();
        List<ListedKey> keys = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            keys.add(new ListedKey(in.readLong(), readString(in)));
        }
        return keys;
    }

    /** Length-prefixed UTF-8 (S3 keys and tokens may pass writeUTF's modified encoding's limit). */
    static void writeString(DataOutputView out, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    static String readString(DataInputView in) throws IOException {
        byte[] bytes = new byte[in.readInt()];
        in.readFully(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    static void checkVersion(int version, SimpleVersionedSerializer<?> serializer)
            throws IOException {
        if (version != serializer.getVersion()) {
            throw new IOException(
                    serializer.getClass().getName()
                            + " reads version "
                            + serializer.getVersion()
                            + ", not "
                            + version);
        }
    }
}
