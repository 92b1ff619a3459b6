package io.inceptionpipeline.pipeline.archive;

import io.inceptionpipeline.operators.records.RawMessage;
import io.inceptionpipeline.pipeline.archive.S3KeysSplit.ListedKey;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.flink.api.connector.source.ReaderOutput;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.core.io.InputStatus;

/**
 * Turns the keys of its splits into requests (id and URI: the object's {@code s3://bucket/key}),
 * one per poll, and asks the enumerator for the next split when they are spent. No I/O here: the
 * enumerator lists, the job's fetch stage reads the objects. A checkpoint holds the keys not yet
 * emitted.
 */
final class S3KeysReader implements SourceReader<RawMessage, S3KeysSplit> {

    private final SourceReaderContext context;
    private final String bucket;
    private final String sourceName;
    private final String run;

    private final ArrayDeque<S3KeysSplit> splits = new ArrayDeque<>();
    private S3KeysSplit current;
    private int emitted; // keys of current already emitted
    private boolean requested;
    private boolean noMoreSplits;
    private CompletableFuture<Void> available = new CompletableFuture<>();

    S3KeysReader(SourceReaderContext context, String bucket, String sourceName, String run) {
        this.context = context;
        this.bucket = bucket;
        this.sourceName = sourceName;
        this.run = run;
    }

    @Override
    public void start() {
        if (splits.isEmpty()) {
            requestSplit();
        }
    }

    @Override
    public InputStatus pollNext(ReaderOutput<RawMessage> output) {
        while (current == null || emitted == current.keys().size()) {
            current = splits.poll();
            emitted = 0;
            if (current == null) {
                if (noMoreSplits) {
                    return InputStatus.END_OF_INPUT;
                }
                requestSplit();
                if (available.isDone()) {
                    available = new CompletableFuture<>();
                }
                return InputStatus.NOTHING_AVAILABLE;
            }
        }
        ListedKey key = current.keys().get(emitted++);
        String uri = S3Listing.uri(bucket, key.key());
        output.collect(
                ArchiveJob.message(
                        new ArchiveItem(uri, uri, key.position()),
                        sourceName,
                        System.currentTimeMillis()));
        ArchiveProgress.read(run);
        return InputStatus.MORE_AVAILABLE;
    }

    private void requestSplit() {
        if (!requested) {
            requested = true;
            context.sendSplitRequest();
        }
    }

    @Override
    public List<S3KeysSplit> snapshotState(long checkpointId) {
        List<S3KeysSplit> state = new ArrayList<>(splits.size() + 1);
        if (current != null && emitted < current.keys().size()) {
            state.add(current.remaining(emitted));
        }
        state.addAll(splits);
        return state;
    }

    @Override
    public CompletableFuture<Void> isAvailable() {
        return available;
    }

    @Override
    public void addSplits(List<S3KeysSplit> added) {
        splits.addAll(added);
        requested = false;
        available.complete(null);
    }

    @Override
    public void notifyNoMoreSplits() {
        noMoreSplits = true;
        available.complete(null);
    }

    @Override
    public void close() {}
}
