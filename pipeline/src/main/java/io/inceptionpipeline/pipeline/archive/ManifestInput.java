package io.inceptionpipeline.pipeline.archive;

import io.inceptionpipeline.operators.records.RawMessage;
import java.io.IOException;
import java.nio.file.Path;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * A manifest file read by Flink's bounded {@link FileSource} (FLIP-27): the job graph holds its
 * path, not its lines; the source's position is checkpointed, so a restored run reads on from
 * there. Lines are parsed in the stream ({@link ManifestParser}); with {@code dropRepeats} (the
 * manifest repeats an id), keyed by id so a repeat is left out ({@link FirstOfId}). That operator
 * keeps every id in Flink state, so it is added only when needed: without it the job's state does
 * not grow with the manifest.
 */
public record ManifestInput(Path file, boolean dropRepeats) implements ArchiveInput {

    @Override
    public String sourceName() {
        return file.getFileName().toString();
    }

    @Override
    public DataStream<RawMessage> requests(
            StreamExecutionEnvironment env, Path outputDir, String run, int parallelism) {
        FileSource<ManifestLine> source =
                FileSource.forRecordStreamFormat(
                                new ManifestLineFormat(),
                                new org.apache.flink.core.fs.Path(
                                        file.toAbsolutePath().normalize().toUri()))
                        .build();
        // One split per manifest: one reader, and parsing is far cheaper than fetching.
        DataStream<ManifestLine> lines =
                env.fromSource(source, WatermarkStrategy.noWatermarks(), "archive-manifest")
                        .uid("archive-manifest")
                        .setParallelism(1);
        return parsed(lines, sourceName(), outputDir, run, dropRepeats, parallelism);
    }

    /**
     * A manifest's lines into requests: parsed in the stream ({@link ManifestParser}) and, with
     * {@code dropRepeats}, keyed by id so a repeat is left out ({@link FirstOfId}).
     */
    static DataStream<RawMessage> parsed(
            DataStream<ManifestLine> lines,
            String sourceName,
            Path outputDir,
            String run,
            boolean dropRepeats,
            int parallelism) {
        DataStream<RawMessage> requests =
                lines.flatMap(new ManifestParser(sourceName, outputDir, run))
                        .name("parse-manifest")
                        .uid("parse-manifest")
                        .setParallelism(1);
        if (!dropRepeats) {
            return requests;
        }
        return requests.keyBy(new FirstOfId.Id())
                .process(new FirstOfId())
                .name("first-of-id")
                .uid("first-of-id")
                .setParallelism(parallelism);
    }

    @Override
    public long unanswered(AnsweredIds answered) throws IOException {
        return ArchiveManifest.scan(file, answered).toScore();
    }
}
