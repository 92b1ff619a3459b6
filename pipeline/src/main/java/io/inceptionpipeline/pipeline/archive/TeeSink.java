package io.inceptionpipeline.pipeline.archive;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.api.connector.sink2.CommitterInitContext;
import org.apache.flink.api.connector.sink2.CommittingSinkWriter;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.StatefulSinkWriter;
import org.apache.flink.api.connector.sink2.SupportsCommitter;
import org.apache.flink.api.connector.sink2.SupportsWriterState;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * One sink writing every record to several two-phase-committing sinks (Flink's {@code FileSink},
 * {@code KafkaSink}), each keeping its own guarantee: a writer per part, their committables and
 * writer states tagged with the part's index and kept in the part's own serialized form, and a
 * committer that hands each part its committables. So the scoring job, which takes one sink per
 * output, can write an output to files and Kafka exactly-once at the same checkpoints.
 *
 * @param <T> the records
 */
class TeeSink<T>
        implements Sink<T>,
                SupportsWriterState<T, TeeSink.Tagged>,
                SupportsCommitter<TeeSink.Tagged> {

    /** A part's committable or writer state: its index, serializer version and bytes. */
    record Tagged(int part, int version, byte[] bytes) {}

    private final List<Sink<T>> parts;

    TeeSink(List<Sink<T>> parts) {
        if (parts.isEmpty()) {
            throw new IllegalArgumentException("A tee needs at least one sink");
        }
        for (Sink<T> part : parts) {
            if (!(part instanceof SupportsCommitter<?>
                    && part instanceof SupportsWriterState<?, ?>)) {
                throw new IllegalArgumentException(
                        part.getClass().getName() + " commits no checkpoints: not a tee part");
            }
        }
        this.parts = List.copyOf(parts);
    }

    /** Called by the writer for every record written to all parts. */
    void written(T record) {}

    @Override
    public Writer createWriter(WriterInitContext context) throws IOException {
        return restoreWriter(context, List.of());
    }

    @Override
    @SuppressWarnings({"unchecked", "rawtypes"})
    public Writer restoreWriter(WriterInitContext context, Collection<Tagged> states)
            throws IOException {
        List<SinkWriterPart> writers = new ArrayList<>();
        for (int i = 0; i < parts.size(); i++) {
            SupportsWriterState stateful = (SupportsWriterState) parts.get(i);
            List<Object> own = new ArrayList<>();
            for (Tagged state : states) {
                if (state.part() == i) {
                    own.add(
                            stateful.getWriterStateSerializer()
                                    .deserialize(state.version(), state.bytes()));
                }
            }
            StatefulSinkWriter<T, Object> writer =
                    own.isEmpty()
                            ? (StatefulSinkWriter<T, Object>) parts.get(i).createWriter(context)
                            : stateful.restoreWriter(context, own);
            writers.add(
                    new SinkWriterPart(
                            writer,
                            stateful.getWriterStateSerializer(),
                            ((SupportsCommitter) parts.get(i)).getCommittableSerializer()));
        }
        return new Writer(writers);
    }

    @Override
    public SimpleVersionedSerializer<Tagged> getWriterStateSerializer() {
        return new TaggedSerializer();
    }

    @Override
    @SuppressWarnings({"unchecked", "rawtypes"})
    public Committer<Tagged> createCommitter(CommitterInitContext context) throws IOException {
        List<Committer<Object>> committers = new ArrayList<>();
        List<SimpleVersionedSerializer<Object>> serializers = new ArrayList<>();
        for (Sink<T> part : parts) {
            SupportsCommitter committing = (SupportsCommitter) part;
            committers.add(committing.createCommitter(context));
            serializers.add(committing.getCommittableSerializer());
        }
        return new TeeCommitter(committers, serializers);
    }

    @Override
    public SimpleVersionedSerializer<Tagged> getCommittableSerializer() {
        return new TaggedSerializer();
    }

    /** One part's writer and the serializers of what it hands over. */
    private record SinkWriterPart(
            StatefulSinkWriter<?, Object> writer,
            SimpleVersionedSerializer<Object> states,
            SimpleVersionedSerializer<Object> committables) {}

    final class Writer implements StatefulSinkWriter<T, Tagged>, CommittingSinkWriter<T, Tagged> {
        private final List<SinkWriterPart> writers;

        Writer(List<SinkWriterPart> writers) {
            this.writers = writers;
        }

        @Override
        @SuppressWarnings("unchecked")
        public void write(T record, Context context) throws IOException, InterruptedException {
            for (SinkWriterPart part : writers) {
                ((StatefulSinkWriter<T, Object>) part.writer()).write(record, context);
            }
            written(record);
        }

        @Override
        public void writeWatermark(Watermark watermark) throws IOException, InterruptedException {
            for (SinkWriterPart part : writers) {
                part.writer().writeWatermark(watermark);
            }
        }

        @Override
        public void flush(boolean endOfInput) throws IOException, InterruptedException {
            for (SinkWriterPart part : writers) {
                part.writer().flush(endOfInput);
            }
        }

        @Override
        @SuppressWarnings("unchecked")
        public Collection<Tagged> prepareCommit() throws IOException, InterruptedException {
            List<Tagged> all = new ArrayList<>();
            for (int i = 0; i < writers.size(); i++) {
                SinkWriterPart part = writers.get(i);
                for (Object committable :
                        ((CommittingSinkWriter<T, Object>) part.writer()).prepareCommit()) {
                    all.add(tag(i, part.committables(), committable));
                }
            }
            return all;
        }

        @Override
        public List<Tagged> snapshotState(long checkpointId) throws IOException {
            List<Tagged> all = new ArrayList<>();
            for (int i = 0; i < writers.size(); i++) {
                SinkWriterPart part = writers.get(i);
                for (Object state : part.writer().snapshotState(checkpointId)) {
                    all.add(tag(i, part.states(), state));
                }
            }
            return all;
        }

        @Override
        public void close() throws Exception {
            Exception first = null;
            for (SinkWriterPart part : writers) {
                try {
                    part.writer().close();
                } catch (Exception e) {
                    if (first == null) {
                        first = e;
                    } else {
                        first.addSuppressed(e);
                    }
                }
            }
            if (first != null) {
                throw first;
            }
        }
    }

    private static Tagged tag(int part, SimpleVersionedSerializer<Object> serializer, Object value)
            throws IOException {
        return new Tagged(part, serializer.getVersion(), serializer.serialize(value));
    }

    /** Hands each part's committer its own committables, unwrapped. */
    private static final class TeeCommitter implements Committer<Tagged> {
        private final List<Committer<Object>> committers;
        private final List<SimpleVersionedSerializer<Object>> serializers;

        TeeCommitter(
                List<Committer<Object>> committers,
                List<SimpleVersionedSerializer<Object>> serializers) {
            this.committers = committers;
            this.serializers = serializers;
        }

        @Override
        public void commit(Collection<CommitRequest<Tagged>> requests)
                throws IOException, InterruptedException {
            for (int i = 0; i < committers.size(); i++) {
                List<CommitRequest<Object>> own = new ArrayList<>();
                for (CommitRequest<Tagged> request : requests) {
                    if (request.getCommittable().part() == i) {
                        own.add(new PartRequest(request, i, serializers.get(i)));
                    }
                }
                if (!own.isEmpty()) {
                    committers.get(i).commit(own);
                }
            }
        }

        @Override
        public void close() throws Exception {
            for (Committer<Object> committer : committers) {
                committer.close();
            }
        }
    }

    /** A part's view of a commit request: its committable deserialized, outcomes passed on. */
    private static final class PartRequest implements Committer.CommitRequest<Object> {
        private final Committer.CommitRequest<Tagged> request;
        private final int part;
        private final SimpleVersionedSerializer<Object> serializer;
        private final Object committable;

        PartRequest(
                Committer.CommitRequest<Tagged> request,
                int part,
                SimpleVersionedSerializer<Object> serializer)
                throws IOException {
            this.request = request;
            this.part = part;
            this.serializer = serializer;
            Tagged tagged = request.getCommittable();
            this.committable = serializer.deserialize(tagged.version(), tagged.bytes());
        }

        @Override
        public Object getCommittable() {
            return committable;
        }

        @Override
        public int getNumberOfRetries() {
            return request.getNumberOfRetries();
        }

        @Override
        public void signalFailedWithKnownReason(Throwable t) {
            request.signalFailedWithKnownReason(t);
        }

        @Override
        public void signalFailedWithUnknownReason(Throwable t) {
            request.signalFailedWithUnknownReason(t);
        }

        @Override
        public void retryLater() {
            request.retryLater();
        }

        @Override
        public void updateAndRetryLater(Object updated) {
            try {
                request.updateAndRetryLater(tag(part, serializer, updated));
            } catch (IOException e) {
                request.signalFailedWithUnknownReason(e);
            }
        }

        @Override
        public void signalAlreadyCommitted() {
            request.signalAlreadyCommitted();
        }
    }

    /** Tagged values: part index, the part's serializer version, length and bytes. */
    static final class TaggedSerializer implements SimpleVersionedSerializer<Tagged> {
        @Override
        public int getVersion() {
            return 1;
        }

        @Override
        public byte[] serialize(Tagged tagged) throws IOException {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(tagged.bytes().length + 12);
            try (DataOutputStream out = new DataOutputStream(bytes)) {
                out.writeInt(tagged.part());
                out.writeInt(tagged.version());
                out.writeInt(tagged.bytes().length);
                out.write(tagged.bytes());
            }
            return bytes.toByteArray();
        }

        @Override
        public Tagged deserialize(int version, byte[] serialized) throws IOException {
            if (version != 1) {
                throw new IOException("Unknown tee serializer version " + version);
            }
            try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(serialized))) {
                int part = in.readInt();
                int partVersion = in.readInt();
                byte[] bytes = new byte[in.readInt()];
                in.readFully(bytes);
                return new Tagged(part, partVersion, bytes);
            }
        }
    }
}
