package io.inceptionpipeline.pipeline.archive;

import io.inceptionpipeline.operators.records.RawMessage;
import java.nio.file.Path;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Where an archive run's images come from: each kind ({@link ManifestInput}, {@link ListedInput})
 * turns its listing into the stream of requests the scoring job reads, one per id not yet answered
 * in {@code outputDir}, each counted as read for the progress bar of {@code run}.
 */
public interface ArchiveInput {

    /** The source's name in requests (the {@code topic} of dead letters). */
    String sourceName();

    DataStream<RawMessage> requests(
            StreamExecutionEnvironment env, Path outputDir, String run, int parallelism);
}
