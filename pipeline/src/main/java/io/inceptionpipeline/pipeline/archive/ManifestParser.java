package io.inceptionpipeline.pipeline.archive;

import io.inceptionpipeline.operators.records.RawMessage;
import java.io.IOException;
import java.nio.file.Path;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichFlatMapFunction;
import org.apache.flink.util.Collector;

/**
 * Manifest lines into requests, in the stream: {@link ArchiveManifest#parse} decides what a line
 * lists (blank lines, comments and the header list nothing; an id without a URI goes on and becomes
 * the job's {@code MISSING_URI} dead letter, numbered by its line). Ids already answered in {@code
 * outputDir} (read once, in {@code open}, into {@link AnsweredIds}) are skipped: resume by id.
 * Counts every line read for the progress bar.
 */
public final class ManifestParser extends RichFlatMapFunction<ManifestLine, RawMessage> {

    private final String sourceName;
    private final String outputDir; // null: nothing to skip
    private final String run;
    private transient AnsweredIds answered;

    public ManifestParser(String sourceName, Path outputDir, String run) {
        this.sourceName = sourceName;
        this.outputDir = outputDir == null ? null : outputDir.toString();
        this.run = run;
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
        ArchiveProgress.read(run);
        ArchiveItem item = ArchiveManifest.parse(line.text, line.number);
        if (item != null && !answered.contains(item.id())) {
            out.collect(ArchiveJob.message(item, sourceName, System.currentTimeMillis()));
        }
    }
}
