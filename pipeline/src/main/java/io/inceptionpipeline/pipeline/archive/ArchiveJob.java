package io.inceptionpipeline.pipeline.archive;

import io.inceptionpipeline.operators.records.RawMessage;
import io.inceptionpipeline.pipeline.JobOptions;
import io.inceptionpipeline.pipeline.KafkaIo;
import io.inceptionpipeline.pipeline.ScoringJob;
import io.inceptionpipeline.schemas.Prediction;
import io.inceptionpipeline.schemas.ScoringFailure;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Archive (bounded) mode: the scoring job over a known list of images, in Flink's BATCH runtime
 * mode. Each item becomes a plain-text request (key: its id, value: its URI), so the job's own
 * deserializer, fetcher and dead letters apply unchanged; predictions and dead letters go to Avro
 * part files ({@link ArchiveSink}) and/or Kafka.
 *
 * <p>The items travel in the job graph ({@code fromData}), so the list must fit in the client's and
 * the JobManager's memory: about 200 bytes per item.
 */
public final class ArchiveJob {

    private ArchiveJob() {}

    /**
     * Wires the run onto {@code env}: BATCH mode, the items as source, the scoring workflow and the
     * sinks. {@code outputDir} or {@code kafka} (or both) must be given.
     */
    public static void define(
            StreamExecutionEnvironment env,
            List<ArchiveItem> items,
            String sourceName,
            Path outputDir,
            boolean kafka,
            JobOptions options,
            String run) {
        if (items.isEmpty()) {
            throw new IllegalArgumentException("Nothing to score");
        }
        env.setRuntimeMode(RuntimeExecutionMode.BATCH);
        ArchiveOutput output = outputDir == null ? null : new ArchiveOutput(outputDir);
        DataStream<RawMessage> messages =
                env.fromData(messages(items, sourceName))
                        .name("archive-items")
                        .uid("archive-items");
        ScoringJob.defineWorkflow(
                messages,
                new ArchiveSink<>(
                        output == null ? null : output.predictions(),
                        Prediction.class,
                        run,
                        kafka ? KafkaIo.predictionSink(options) : null),
                new ArchiveSink<>(
                        output == null ? null : output.deadLetters(),
                        ScoringFailure.class,
                        run,
                        kafka ? KafkaIo.deadLetterSink(options) : null),
                options);
    }

    /** Items as the messages a Kafka producer of plain-text requests would have sent. */
    static List<RawMessage> messages(List<ArchiveItem> items, String sourceName) {
        long now = System.currentTimeMillis();
        List<RawMessage> messages = new ArrayList<>(items.size());
        for (ArchiveItem item : items) {
            messages.add(
                    new RawMessage(
                            sourceName,
                            0,
                            item.position(),
                            now,
                            item.id().getBytes(StandardCharsets.UTF_8),
                            item.uri().getBytes(StandardCharsets.UTF_8)));
        }
        return messages;
    }
}
