package io.inceptionpipeline.pipeline.archive;

import io.inceptionpipeline.operators.records.RawMessage;
import io.inceptionpipeline.pipeline.JobOptions;
import io.inceptionpipeline.pipeline.KafkaIo;
import io.inceptionpipeline.pipeline.ScoringJob;
import io.inceptionpipeline.schemas.Prediction;
import io.inceptionpipeline.schemas.ScoringFailure;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Archive (bounded) mode: the scoring job over a known set of images, pipelined. Flink's STREAMING
 * runtime mode over a bounded source ({@link ArchiveInput}) with checkpointing on: batches reach
 * the model while later images are still being fetched, nothing is materialized between stages, and
 * a slow fetch delays only itself. Each item becomes a plain-text request (key: its id, value: its
 * URI), so the job's own deserializer, fetcher and dead letters apply unchanged; predictions and
 * dead letters go to Avro part files committed at checkpoints and/or Kafka, exactly-once ({@link
 * ArchiveSink}). The job ends when the source is read and every answer committed.
 */
public final class ArchiveJob {

    private ArchiveJob() {}

    /**
     * Wires the run onto {@code env}: streaming mode and checkpointing as {@code options} ask, the
     * input's requests, the scoring workflow and the sinks. {@code outputDir} or {@code kafka} (or
     * both) must be given.
     */
    public static void define(
            StreamExecutionEnvironment env,
            ArchiveInput input,
            Path outputDir,
            boolean kafka,
            JobOptions options,
            String run) {
        if (options.checkpointIntervalMs() <= 0) {
            throw new IllegalArgumentException(
                    "An archive run commits its answers at checkpoints: give a checkpoint"
                            + " interval");
        }
        env.setRuntimeMode(RuntimeExecutionMode.STREAMING);
        ScoringJob.configure(env, options);
        ArchiveOutput output = outputDir == null ? null : new ArchiveOutput(outputDir);
        DataStream<RawMessage> messages =
                input.requests(env, outputDir, run, options.fetchParallelism());
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

    /** An item as the message a Kafka producer of plain-text requests would have sent. */
    static RawMessage message(ArchiveItem item, String sourceName, long now) {
        return new RawMessage(
                sourceName,
                0,
                item.position(),
                now,
                item.id().getBytes(StandardCharsets.UTF_8),
                item.uri().getBytes(StandardCharsets.UTF_8));
    }
}
