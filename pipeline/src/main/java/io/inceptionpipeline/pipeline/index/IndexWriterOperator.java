package io.inceptionpipeline.pipeline.index;

import io.inceptionpipeline.schemas.Prediction;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Writes each prediction's embedding into its subtask's part of the embedding index ({@link
 * SubtaskIndex}), committed with Flink's checkpoints so that the committed index holds exactly the
 * predictions of completed checkpoints.
 *
 * <ul>
 *   <li>{@code snapshotState(n)}: Lucene's {@code prepareCommit}: the documents before barrier
 *       {@code n} become a pending commit (flushed and synced: the only step that takes time in the
 *       task thread).
 *   <li>{@code notifyCheckpointComplete(m ≥ n)}: {@code commit}: that pending commit is published.
 *       The notification of a later checkpoint commits it too (a pending set is always older than
 *       any later barrier); an aborted checkpoint leaves it pending for the next completion.
 *   <li>The documents not yet in a published commit are also kept in operator state: a failure
 *       after checkpoint {@code n} completed but before its notification was handled would
 *       otherwise lose them (Lucene deletes a pending commit when a writer opens), and the source
 *       does not replay what precedes barrier {@code n}. On restore the part is opened on its last
 *       commit and those documents are upserted again; later input is replayed by the source and
 *       upserted. Upserts by request id make both idempotent.
 *   <li>Without checkpoints (archive runs in BATCH mode) it commits once, at the end of its input.
 * </ul>
 */
public final class IndexWriterOperator extends AbstractStreamOperator<Void>
        implements OneInputStreamOperator<Prediction, Void>, BoundedOneInput {

    private static final long serialVersionUID = 1L;
    private static final org.slf4j.Logger LOG =
            org.slf4j.LoggerFactory.getLogger(IndexWriterOperator.class);

    private final String indexDir;
    private final boolean checkpointed;
    private final int beamWidth;

    private transient SubtaskIndex index;
    private transient ListState<Prediction> uncommittedState;
    private transient List<Prediction> prepared; // in the pending Lucene commit
    private transient List<Prediction> unprepared; // added after it
    private transient long preparedCheckpoint;
    private transient boolean inputEnded;
    private transient long finalCheckpoint = -1; // the first snapshot after the end of input
    private transient Counter indexed;
    private transient volatile long lastCommitMs;

    /**
     * @param indexDir the index folder; subtask {@code i} writes {@code part-i}
     * @param checkpointed whether the job takes checkpoints: commit at them; else at end of input
     * @param beamWidth HNSW candidates per insertion
     */
    public IndexWriterOperator(String indexDir, boolean checkpointed, int beamWidth) {
        this.indexDir = indexDir;
        this.checkpointed = checkpointed;
        this.beamWidth = beamWidth;
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        int subtask = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
        index =
                SubtaskIndex.open(
                        SubtaskIndex.partDirectory(Path.of(indexDir), subtask), beamWidth);
        prepared = new ArrayList<>();
        unprepared = new ArrayList<>();
        uncommittedState =
                context.getOperatorStateStore()
                        .getListState(
                                new ListStateDescriptor<>(
                                        "index-uncommitted", new AvroTypeInfo<>(Prediction.class)));
        if (context.isRestored()) {
            for (Prediction p : uncommittedState.get()) {
                index.upsert(p);
                unprepared.add(p);
            }
        }
        MetricGroup group = getRuntimeContext().getMetricGroup().addGroup("inception");
        indexed = group.counter("embeddingsIndexed");
        group.gauge("indexCommitMs", () -> lastCommitMs);
    }

    @Override
    public void processElement(StreamRecord<Prediction> element) throws Exception {
        Prediction prediction = element.getValue();
        index.upsert(prediction);
        if (checkpointed) {
            unprepared.add(prediction);
        }
        indexed.inc();
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        long started = System.nanoTime();
        if (index.prepareCommit(context.getCheckpointId())) {
            prepared.addAll(unprepared);
            unprepared.clear();
            preparedCheckpoint = context.getCheckpointId();
        }
        if (inputEnded && finalCheckpoint < 0) {
            finalCheckpoint = context.getCheckpointId();
        }
        List<Prediction> uncommitted = new ArrayList<>(prepared.size() + unprepared.size());
        uncommitted.addAll(prepared);
        uncommitted.addAll(unprepared);
        uncommittedState.update(uncommitted);
        lastCommitMs = (System.nanoTime() - started) / 1_000_000;
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) throws Exception {
        super.notifyCheckpointComplete(checkpointId);
        if (index.prepared() && checkpointId >= preparedCheckpoint) {
            index.commit();
            prepared.clear();
        }
        // The final checkpoint may have found an older commit still pending (its notification
        // not yet handled), so its documents were not prepared; no later checkpoint will come, and
        // every document precedes its barrier: commit them all once it is complete.
        if (finalCheckpoint >= 0 && checkpointId >= finalCheckpoint && !unprepared.isEmpty()) {
            index.commitAll(checkpointId);
            prepared.clear();
            unprepared.clear();
        }
    }

    @Override
    public void endInput() throws Exception {
        inputEnded = true;
        if (!checkpointed) {
            long started = System.nanoTime();
            index.commitAll(-1);
            lastCommitMs = (System.nanoTime() - started) / 1_000_000;
        }
        // with checkpoints, the final checkpoint after the end of input commits the rest (see
        // notifyCheckpointComplete)
    }

    @Override
    public void close() throws Exception {
        try {
            if (index != null) {
                index.close(); // drops what no commit covered
            }
        } catch (Exception e) {
            // a failing task: the next writer on this part starts from its last commit anyway
            LOG.warn("Closing the embedding index part failed: {}", e.toString());
        } finally {
            index = null;
            super.close();
        }
    }
}
