package io.inceptionpipeline.pipeline.archive;

import java.io.IOException;
import org.apache.flink.api.connector.source.SourceSplit;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;

/**
 * A manifest object on S3 and how far it was read: the byte offset where the next line starts and
 * the number of lines before it, so a restored reader resumes with a ranged GET from {@code offset}
 * and numbers the next line {@code linesRead + 1}.
 */
record S3ManifestSplit(String bucket, String key, long offset, long linesRead)
        implements SourceSplit {

    @Override
    public String splitId() {
        return "s3://" + bucket + "/" + key;
    }

    /** Version 1: bucket, key, offset, lines read. */
    static final class Serializer implements SimpleVersionedSerializer<S3ManifestSplit> {

        static final Serializer INSTANCE = new Serializer();

        @Override
        public int getVersion() {
            return 1;
        }

        @Override
        public byte[] serialize(S3ManifestSplit split) throws IOException {
            DataOutputSerializer out = new DataOutputSerializer(128);
            S3KeysSplit.writeString(out, split.bucket);
            S3KeysSplit.writeString(out, split.key);
            out.writeLong(split.offset);
            out.writeLong(split.linesRead);
            return out.getCopyOfBuffer();
        }

        @Override
        public S3ManifestSplit deserialize(int version, byte[] serialized) throws IOException {
            S3KeysSplit.checkVersion(version, this);
            DataInputDeserializer in = new DataInputDeserializer(serialized);
            return new S3ManifestSplit(
                    S3KeysSplit.readString(in),
                    S3KeysSplit.readString(in),
                    in.readLong(),
                    in.readLong());
        }
    }
}
