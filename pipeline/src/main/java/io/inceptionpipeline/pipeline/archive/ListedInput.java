package io.inceptionpipeline.pipeline.archive;

import io.inceptionpipeline.operators.records.RawMessage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Items listed before the run (an S3 prefix, {@link S3Listing}), already without the ids answered:
 * they travel in the job graph ({@code fromData}, about 200 bytes an item), so this kind is for
 * listings that fit in memory. A manifest file does not: see {@link ManifestInput}.
 */
public record ListedInput(List<ArchiveItem> items, String sourceName) implements ArchiveInput {

    @Override
    public DataStream<RawMessage> requests(
            StreamExecutionEnvironment env, Path outputDir, String run, int parallelism) {
        long now = System.currentTimeMillis();
        List<RawMessage> messages = new ArrayList<>(items.size());
        for (ArchiveItem item : items) {
            messages.add(ArchiveJob.message(item, sourceName, now));
        }
        return env.fromData(messages)
                .name("archive-items")
                .uid("archive-items")
                .map(new CountRead(run))
                .name("count-read")
                .uid("count-read");
    }

    /** Counts each item as read for the progress bar. */
    private record CountRead(String run) implements MapFunction<RawMessage, RawMessage> {
        @Override
        public RawMessage map(RawMessage message) {
            ArchiveProgress.read(run);
            return message;
        }
    }
}
