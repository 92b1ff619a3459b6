package io.inceptionpipeline.pipeline.archive;

import io.inceptionpipeline.operators.records.RawMessage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichFlatMapFunction;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.util.Collector;

/**
 * Manifest lines into requests, in the stream: {@link ArchiveManifest#parse} decides what a line
 * lists (blank lines, comments and the header list nothing; an id without a URI goes on and becomes
 * the job's {@code MISSING_URI} dead letter, numbered by its line). Ids already answered in {@code
 * outputDir} (read once, in {@code open}, into {@link AnsweredIds}) are skipped: resume by id.
 *
 * <p>Tells the progress bar how far into the manifest the source has read: the highest line number
 * seen, kept in operator state, so a run restored from a checkpoint counts from the manifest's
 * start (the lines its source skips on restore, and a manifest read to its end before the restored
 * checkpoint, included), not from the restore.
 */
public final class ManifestParser extends RichFlatMapFunction<ManifestLine, RawMessage>
        implements CheckpointedFunction {

    private final String sourceName;
    private final String outputDir; // null: nothing to skip
    private final String run;
    private transient AnsweredIds answered;
    private transient ListState<Long> linesReadState;
    private transient long linesRead;

    public ManifestParser(String sourceName, Path outputDir, String run) {
        this.sourceName = sourceName;
        this.outputDir = outputDir == null ? null : outputDir.toString();
        this.run = run;
    }

    @Override
    public void initializeState(FunctionInitializationContext context) throws Exception {
        linesReadState =
                context.getOperatorStateStore()
                        .getUnionListState(new ListStateDescriptor<>("lines-read", Long.class));
        linesRead = 0;
        for (Long restored : linesReadState.get()) {
            linesRead = Math.max(linesRead, restored);
        }
        ArchiveProgress.readThrough(run, linesRead);
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) throws Exception {
        linesReadState.update(List.of(linesRead));
    }

    @Override
    public void open(OpenContext openContext) throws IOException {
        answered =
                outputDir == null
                        ? AnsweredIds.none()
                        : new ArchiveOutput(Path.of(outputDir)).answeredIds();
    }

    @Override
    public void close() throws IOException {
        if (answered != null) {
            answered.close();
        }
    }

    @Override
    public void flatMap(ManifestLine line, Collector<RawMessage> out) {
        linesRead = Math.max(linesRead, line.number);
        ArchiveProgress.readThrough(run, linesRead);
        ArchiveItem item = ArchiveManifest.parse(line.text, line.number);
        if (item != null && !answered.contains(item.id())) {
            out.collect(ArchiveJob.message(item, sourceName, System.currentTimeMillis()));
        }
    }
}
