package io.inceptionpipeline.pipeline.archive;

import io.inceptionpipeline.operators.fetch.S3Access;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;

/**
 * A bounded FLIP-27 source of the numbered lines of one manifest object on S3: one split (the
 * object), read by one reader ({@link S3ManifestReader}) as a stream, its position (byte offset of
 * the next line, lines read) checkpointed, so a restored run resumes with a ranged GET.
 */
record S3ManifestSource(S3Input object, S3Access access)
        implements Source<ManifestLine, S3ManifestSplit, List<S3ManifestSplit>>,
                ResultTypeQueryable<ManifestLine> {

    @Override
    public Boundedness getBoundedness() {
        return Boundedness.BOUNDED;
    }

    @Override
    public SourceReader<ManifestLine, S3ManifestSplit> createReader(SourceReaderContext context) {
        return new S3ManifestReader(access, context);
    }

    @Override
    public SplitEnumerator<S3ManifestSplit, List<S3ManifestSplit>> createEnumerator(
            SplitEnumeratorContext<S3ManifestSplit> context) {
        return new Enumerator(
                context, List.of(new S3ManifestSplit(object.bucket(), object.key(), 0, 0)));
    }

    @Override
    public SplitEnumerator<S3ManifestSplit, List<S3ManifestSplit>> restoreEnumerator(
            SplitEnumeratorContext<S3ManifestSplit> context, List<S3ManifestSplit> unassigned) {
        return new Enumerator(context, unassigned);
    }

    @Override
    public SimpleVersionedSerializer<S3ManifestSplit> getSplitSerializer() {
        return S3ManifestSplit.Serializer.INSTANCE;
    }

    @Override
    public SimpleVersionedSerializer<List<S3ManifestSplit>> getEnumeratorCheckpointSerializer() {
        return StateSerializer.INSTANCE;
    }

    @Override
    public TypeInformation<ManifestLine> getProducedType() {
        return TypeInformation.of(ManifestLine.class);
    }

    /** Hands the split to the first reader that asks; the end to every later one. */
    static final class Enumerator
            implements SplitEnumerator<S3ManifestSplit, List<S3ManifestSplit>> {

        private final SplitEnumeratorContext<S3ManifestSplit> context;
        private final ArrayDeque<S3ManifestSplit> unassigned;

        Enumerator(SplitEnumeratorContext<S3ManifestSplit> context, List<S3ManifestSplit> splits) {
            this.context = context;
            this.unassigned = new ArrayDeque<>(splits);
        }

        @Override
        public void start() {}

        @Override
        public void handleSplitRequest(int subtask, String hostname) {
            if (!context.registeredReaders().containsKey(subtask)) {
                return; // gone: it asks again when it comes back
            }
            S3ManifestSplit split = unassigned.poll();
            if (split == null) {
                context.signalNoMoreSplits(subtask);
            } else {
                context.assignSplit(split, subtask);
            }
        }

        @Override
        public void addSplitsBack(List<S3ManifestSplit> splits, int subtask) {
            unassigned.addAll(splits);
        }

        @Override
        public void addReader(int subtask) {}

        @Override
        public List<S3ManifestSplit> snapshotState(long checkpointId) {
            return List.copyOf(unassigned);
        }

        @Override
        public void close() {}
    }

    /** Version 1: the number of unassigned splits, then each as its serializer writes it. */
    static final class StateSerializer implements SimpleVersionedSerializer<List<S3ManifestSplit>> {

        static final StateSerializer INSTANCE = new StateSerializer();

        @Override
        public int getVersion() {
            return 1;
        }

        @Override
        public byte[] serialize(List<S3ManifestSplit> splits) throws IOException {
            DataOutputSerializer out = new DataOutputSerializer(128);
            out.writeInt(splits.size());
            for (S3ManifestSplit split : splits) {
                byte[] bytes = S3ManifestSplit.Serializer.INSTANCE.serialize(split);
                out.writeInt(bytes.length);
                out.write(bytes);
            }
            return out.getCopyOfBuffer();
        }

        @Override
        public List<S3ManifestSplit> deserialize(int version, byte[] serialized)
                throws IOException {
            S3KeysSplit.checkVersion(version, this);
            DataInputDeserializer in = new DataInputDeserializer(serialized);
            int count = in.readInt();
            List<S3ManifestSplit> splits = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                byte[] bytes = new byte[in.readInt()];
                in.readFully(bytes);
                splits.add(
                        S3ManifestSplit.Serializer.INSTANCE.deserialize(
                                S3ManifestSplit.Serializer.INSTANCE.getVersion(), bytes));
            }
            return splits;
        }
    }
}
