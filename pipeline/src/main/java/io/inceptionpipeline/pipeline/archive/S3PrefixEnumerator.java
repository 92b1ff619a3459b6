package io.inceptionpipeline.pipeline.archive;

import io.inceptionpipeline.pipeline.archive.S3KeysSplit.ListedKey;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.util.FlinkRuntimeException;

/**
 * Lists an S3 prefix as readers ask for keys: one ListObjectsV2 page at a time (off the coordinator
 * thread, {@link SplitEnumeratorContext#callAsync}), the next page only once fewer than a page of
 * keys wait to be handed out, so at most two pages are held whatever the prefix's size. Keys whose
 * id ({@code s3://bucket/key}) an earlier run answered are left out as each page arrives (resume by
 * id), counted for the progress bar. A checkpoint holds the continuation token of the next page and
 * the keys listed but not handed out: a restored run lists on from there.
 */
final class S3PrefixEnumerator implements SplitEnumerator<S3KeysSplit, S3PrefixEnumerator.State> {

    /**
     * What a checkpoint keeps: the token of the next page (null: the first, unless {@code
     * complete}), whether the last page was listed, the keys not handed out, the keys listed so far
     * and how many of them were already answered, and the next split's number.
     */
    record State(
            String nextToken,
            boolean complete,
            List<ListedKey> unassigned,
            long listedKeys,
            long answeredKeys,
            long nextSplit) {

        static State initial() {
            return new State(null, false, List.of(), 0, 0, 0);
        }
    }

    private final SplitEnumeratorContext<S3KeysSplit> context;
    private final S3Listing listing;
    private final String bucket;
    private final AnsweredIds answered;
    private final String run;
    private final int pageSize;
    private final int keysPerSplit;

    private final ArrayDeque<ListedKey> unassigned;
    private final LinkedHashSet<Integer> waiting = new LinkedHashSet<>();
    private String nextToken;
    private boolean complete;
    private long listedKeys;
    private long answeredKeys;
    private long nextSplit;
    private boolean listingPage;

    /**
     * @param answered whether an id was answered by an earlier run
     * @param run the run whose progress bar counts the listing
     */
    S3PrefixEnumerator(
            SplitEnumeratorContext<S3KeysSplit> context,
            S3Listing listing,
            String bucket,
            AnsweredIds answered,
            String run,
            int pageSize,
            int keysPerSplit,
            State state) {
        this.context = context;
        this.listing = listing;
        this.bucket = bucket;
        this.answered = answered;
        this.run = run;
        this.pageSize = pageSize;
        this.keysPerSplit = keysPerSplit;
        this.unassigned = new ArrayDeque<>(state.unassigned());
        this.nextToken = state.nextToken();
        this.complete = state.complete();
        this.listedKeys = state.listedKeys();
        this.answeredKeys = state.answeredKeys();
        this.nextSplit = state.nextSplit();
    }

    @Override
    public void start() {
        publishProgress();
        listMore();
    }

    @Override
    public void handleSplitRequest(int subtask, String hostname) {
        waiting.add(subtask);
        assign();
    }

    /** Splits a failed reader had since the last checkpoint: handed out again first. */
    @Override
    public void addSplitsBack(List<S3KeysSplit> splits, int subtask) {
        for (int i = splits.size() - 1; i >= 0; i--) {
            List<ListedKey> keys = splits.get(i).keys();
            for (int k = keys.size() - 1; k >= 0; k--) {
                unassigned.addFirst(keys.get(k));
            }
        }
        assign();
    }

    @Override
    public void addReader(int subtask) {
        // Readers ask for splits when they need them.
    }

    @Override
    public State snapshotState(long checkpointId) {
        return new State(
                nextToken, complete, List.copyOf(unassigned), listedKeys, answeredKeys, nextSplit);
    }

    @Override
    public void close() throws IOException {
        listing.close();
        answered.close();
    }

    /** Hands keys to waiting readers; tells them the end once the listing is done and handed. */
    private void assign() {
        Iterator<Integer> readers = waiting.iterator();
        while (readers.hasNext() && !unassigned.isEmpty()) {
            int reader = readers.next();
            if (!context.registeredReaders().containsKey(reader)) {
                readers.remove(); // gone: it asks again when it comes back
                continue;
            }
            List<ListedKey> keys = new ArrayList<>(Math.min(keysPerSplit, unassigned.size()));
            while (keys.size() < keysPerSplit && !unassigned.isEmpty()) {
                keys.add(unassigned.poll());
            }
            context.assignSplit(new S3KeysSplit("keys-" + nextSplit++, keys), reader);
            readers.remove();
        }
        if (complete && unassigned.isEmpty()) {
            for (int reader : waiting) {
                context.signalNoMoreSplits(reader);
            }
            waiting.clear();
        }
        listMore();
    }

    /** Lists the next page unless one is on its way, the listing is done, or a page waits. */
    private void listMore() {
        if (listingPage || complete || unassigned.size() >= pageSize) {
            return;
        }
        listingPage = true;
        String token = nextToken;
        context.callAsync(() -> listing.page(token), this::onPage);
    }

    private void onPage(S3Listing.Page page, Throwable error) {
        listingPage = false;
        if (error != null) {
            throw new FlinkRuntimeException(
                    "Cannot list s3://" + bucket + "/ (page after " + listedKeys + " keys)", error);
        }
        long skipped = 0;
        for (String key : page.keys()) {
            listedKeys++;
            if (answered.contains(S3Listing.uri(bucket, key))) {
                skipped++;
            } else {
                unassigned.add(new ListedKey(listedKeys, key));
            }
        }
        answeredKeys += skipped;
        nextToken = page.nextToken();
        complete = page.last();
        ArchiveProgress.read(run, skipped); // answered keys are read here, the rest by readers
        publishProgress();
        assign();
    }

    private void publishProgress() {
        ArchiveProgress.listed(run, listedKeys, listedKeys - answeredKeys, complete);
    }

    /**
     * Version 1: whether a token follows and the token, complete, the counts, the next split's
     * number, then the unassigned keys as {@link S3KeysSplit} writes them.
     */
    static final class StateSerializer implements SimpleVersionedSerializer<State> {

        static final StateSerializer INSTANCE = new StateSerializer();

        @Override
        public int getVersion() {
            return 1;
        }

        @Override
        public byte[] serialize(State state) throws IOException {
            DataOutputSerializer out = new DataOutputSerializer(256 + 64 * state.unassigned.size());
            out.writeBoolean(state.nextToken != null);
            if (state.nextToken != null) {
                S3KeysSplit.writeString(out, state.nextToken);
            }
            out.writeBoolean(state.complete);
            out.writeLong(state.listedKeys);
            out.writeLong(state.answeredKeys);
            out.writeLong(state.nextSplit);
            S3KeysSplit.writeKeys(out, state.unassigned);
            return out.getCopyOfBuffer();
        }

        @Override
        public State deserialize(int version, byte[] serialized) throws IOException {
            S3KeysSplit.checkVersion(version, this);
            DataInputDeserializer in = new DataInputDeserializer(serialized);
            String token = in.readBoolean() ? S3KeysSplit.readString(in) : null;
            boolean complete = in.readBoolean();
            long listed = in.readLong();
            long answered = in.readLong();
            long nextSplit = in.readLong();
            return new State(
                    token, complete, S3KeysSplit.readKeys(in), listed, answered, nextSplit);
        }
    }
}
