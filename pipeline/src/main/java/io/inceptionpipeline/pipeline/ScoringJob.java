package io.inceptionpipeline.pipeline;

import io.inceptionpipeline.operators.aggregate.AggregationFunction;
import io.inceptionpipeline.operators.aggregate.MemberTagger;
import io.inceptionpipeline.operators.aggregate.ScoredUnit;
import io.inceptionpipeline.operators.batch.BatchInferenceFunction;
import io.inceptionpipeline.operators.batch.BucketKeys;
import io.inceptionpipeline.operators.decode.DecodeCropFunction;
import io.inceptionpipeline.operators.deserialize.DeserializeFunction;
import io.inceptionpipeline.operators.deserialize.DropDuplicateRequests;
import io.inceptionpipeline.operators.failure.Failures;
import io.inceptionpipeline.operators.fetch.FetchFunction;
import io.inceptionpipeline.operators.inference.ModelScorerFactory;
import io.inceptionpipeline.operators.metrics.FailureMetrics;
import io.inceptionpipeline.operators.records.CroppedImage;
import io.inceptionpipeline.operators.records.FetchedImage;
import io.inceptionpipeline.operators.records.ImageRequest;
import io.inceptionpipeline.operators.records.RawMessage;
import io.inceptionpipeline.pipeline.index.EmbeddingIndexSink;
import io.inceptionpipeline.pipeline.index.EmbeddingNormalizer;
import io.inceptionpipeline.schemas.Prediction;
import io.inceptionpipeline.schemas.ScoringFailure;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The scoring job, given its input stream and its two sinks: {@code main} wires Kafka, tests wire
 * bounded sources and collecting sinks.
 *
 * <pre>
 * messages → deserialize → keyBy(request id): drop duplicate ids → fetch (async I/O)
 *          → decode &amp; crop (8-bit) → keyBy(bucket)
 *          → batch &amp; infer (keyed state, size or timer) → predictions
 * with several crops or models per request, every member batches and infers every crop, then
 *          → keyBy(request id) → aggregate (mean softmax, keyed state) → predictions
 * every operator's failures (side output) → count by stage/code → dead letters
 * with --index-dir: predictions → embedding index (Lucene HNSW, one part per inference subtask,
 *          committed at checkpoints)
 * </pre>
 *
 * Fetching and decoding scale with {@code fetchParallelism}, inference with {@code
 * inferenceParallelism}. Every operator has a stable uid so savepoints survive changes.
 */
public final class ScoringJob {

    private ScoringJob() {}

    /**
     * Wires the job onto Kafka: checkpointing (exactly-once when asked), the Kafka source and the
     * two Kafka sinks. Call {@code env.execute} after.
     */
    public static void wireKafka(StreamExecutionEnvironment env, JobOptions options) {
        configure(env, options);
        DataStream<RawMessage> messages =
                env.fromSource(
                                KafkaIo.source(options),
                                WatermarkStrategy.noWatermarks(),
                                "requests")
                        .uid("requests-source")
                        .setParallelism(options.fetchParallelism());
        defineWorkflow(
                messages,
                KafkaIo.predictionSink(options),
                KafkaIo.deadLetterSink(options),
                options);
    }

    /**
     * Adds to {@code conf} checkpoints kept as files under {@code dir}, not in the JobManager's
     * memory, whose 5 MiB limit unaligned checkpoints exceed once they carry crops in flight
     * (Inception-ResNet-v2's, in 256 KiB network buffers). For the jobs this JVM runs ({@code
     * local}, {@code archive}); a cluster names its own checkpoint directory.
     */
    public static Configuration withCheckpointsIn(Configuration conf, Path dir) {
        conf.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
        conf.set(
                CheckpointingOptions.CHECKPOINTS_DIRECTORY,
                dir.toAbsolutePath().toUri().toString());
        return conf;
    }

    /**
     * Checkpointing as the delivery guarantee needs it, and the network buffer timeout of every
     * exchange (Flink's default, 100 ms, would be paid at each keyBy).
     */
    public static void configure(StreamExecutionEnvironment env, JobOptions options) {
        env.setBufferTimeout(options.bufferTimeoutMs());
        if (options.checkpointIntervalMs() > 0) {
            env.enableCheckpointing(
                    options.checkpointIntervalMs(),
                    options.exactlyOnce()
                            ? CheckpointingMode.EXACTLY_ONCE
                            : CheckpointingMode.AT_LEAST_ONCE);
            if (options.exactlyOnce() && options.alignedCheckpointTimeoutMs() >= 0) {
                // Unaligned checkpoints need exactly-once barriers; at-least-once never aligns.
                env.getCheckpointConfig().enableUnalignedCheckpoints();
                env.getCheckpointConfig()
                        .setAlignedCheckpointTimeout(
                                Duration.ofMillis(options.alignedCheckpointTimeoutMs()));
            }
        }
    }

    public static void defineWorkflow(
            DataStream<RawMessage> messages,
            Sink<Prediction> predictionSink,
            Sink<ScoringFailure> deadLetterSink,
            JobOptions options) {
        SingleOutputStreamOperator<ImageRequest> deserialized =
                messages.process(new DeserializeFunction())
                        .name("deserialize")
                        .uid("deserialize")
                        .setParallelism(options.fetchParallelism());
        SingleOutputStreamOperator<ImageRequest> requests = deserialized;
        DataStream<ScoringFailure> duplicates = null;
        if (options.duplicateWindowMs() > 0) {
            SingleOutputStreamOperator<ImageRequest> unique =
                    requests.keyBy(request -> request.requestId)
                            .process(
                                    new DropDuplicateRequests(
                                            Duration.ofMillis(options.duplicateWindowMs())))
                            .name("drop-duplicate-ids")
                            .uid("drop-duplicate-ids")
                            .setParallelism(options.fetchParallelism());
            duplicates = unique.getSideOutput(Failures.TAG);
            requests = unique;
        }

        // Flink's own async timeout backs up the fetcher's: a little later, so the fetcher's
        // precise error code normally wins.
        long asyncTimeoutMs = options.fetch().totalTimeout().toMillis() + 5_000;
        SingleOutputStreamOperator<FetchedImage> fetched =
                AsyncDataStream.unorderedWait(
                                requests,
                                new FetchFunction(options.fetch()),
                                asyncTimeoutMs,
                                TimeUnit.MILLISECONDS,
                                options.fetchConcurrency())
                        .name("fetch")
                        .uid("fetch")
                        .setParallelism(options.fetchParallelism());

        SingleOutputStreamOperator<CroppedImage> crops =
                fetched.process(new DecodeCropFunction(options.prepare()))
                        .name("decode-crop")
                        .uid("decode-crop")
                        .setParallelism(options.fetchParallelism());

        SingleOutputStreamOperator<Prediction> predictions =
                options.aggregates()
                        ? aggregated(crops, options)
                        : inference(crops, options, options.scorer(), "batch-inference");
        DataStream<Prediction> answers = predictions;
        if (options.embeddingNormalize()) {
            answers =
                    predictions
                            .map(new EmbeddingNormalizer())
                            .returns(new AvroTypeInfo<>(Prediction.class))
                            .name("normalize-embedding")
                            .uid("normalize-embedding")
                            .setParallelism(options.inferenceParallelism());
        }
        // The sink in its own task: its flush and transaction commit at each checkpoint (every
        // 200 ms by default) then wait on the broker while the next batch is scored, not between
        // batches in the inference thread (docs/benchmarks.md, "Streaming rate against raw").
        answers.sinkTo(predictionSink)
                .name("predictions")
                .uid("predictions-sink")
                .setParallelism(options.inferenceParallelism())
                .disableChaining();
        if (options.indexes()) {
            EmbeddingIndexSink.attach(
                    answers,
                    options.indexDir(),
                    options.checkpointIntervalMs() > 0,
                    options.indexBeamWidth(),
                    options.inferenceParallelism());
        }
        deadLetters(
                deserialized
                        .getSideOutput(Failures.TAG)
                        .union(
                                crops.getSideOutput(Failures.TAG),
                                predictions.getSideOutput(Failures.TAG)),
                duplicates,
                deadLetterSink,
                options);
    }

    /**
     * Several units per request (crops x ensemble members): every member batches and scores every
     * crop on its own keyed operator; the aggregator, keyed by request id, averages a request's
     * units or sends it to the dead letters (its side output) when one of them failed.
     */
    private static SingleOutputStreamOperator<Prediction> aggregated(
            DataStream<CroppedImage> crops, JobOptions options) {
        DataStream<ScoredUnit> units = null;
        DataStream<ScoringFailure> unitFailures = null;
        for (int m = 0; m < options.members().size(); m++) {
            String id = m == 0 ? "batch-inference" : "batch-inference-" + m;
            SingleOutputStreamOperator<Prediction> scored =
                    inference(crops, options, options.members().get(m), id);
            DataStream<ScoredUnit> tagged =
                    scored.map(new MemberTagger(m))
                            .name("tag-member-" + m)
                            .uid("tag-member-" + m)
                            .setParallelism(options.inferenceParallelism());
            units = units == null ? tagged : units.union(tagged);
            DataStream<ScoringFailure> failed = scored.getSideOutput(Failures.TAG);
            unitFailures = unitFailures == null ? failed : unitFailures.union(failed);
        }
        return units.keyBy(new AggregationFunction.UnitKey())
                .connect(unitFailures.keyBy(new AggregationFunction.FailureKey()))
                .process(new AggregationFunction(options.aggregation()))
                .returns(new AvroTypeInfo<>(Prediction.class))
                .name("aggregate")
                .uid("aggregate")
                .setParallelism(options.inferenceParallelism())
                .setMaxParallelism(options.maxParallelism());
    }

    /** Every failure, counted by stage and code (metrics), to the dead-letter sink. */
    private static void deadLetters(
            DataStream<ScoringFailure> failures,
            DataStream<ScoringFailure> duplicates,
            Sink<ScoringFailure> deadLetterSink,
            JobOptions options) {
        if (duplicates != null) {
            failures = failures.union(duplicates);
        }
        failures.map(new FailureMetrics())
                .returns(new AvroTypeInfo<>(ScoringFailure.class))
                .name("count-failures")
                .uid("count-failures")
                .setParallelism(options.fetchParallelism())
                .sinkTo(deadLetterSink)
                .name("dead-letters")
                .uid("dead-letters-sink")
                .setParallelism(options.fetchParallelism());
    }

    /** Keyed batching and inference of the crops with one model. */
    private static SingleOutputStreamOperator<Prediction> inference(
            DataStream<CroppedImage> crops,
            JobOptions options,
            ModelScorerFactory scorer,
            String uid) {
        return crops.keyBy(new BucketKeys(options.inferenceParallelism(), options.maxParallelism()))
                .process(
                        new BatchInferenceFunction(
                                options.batchSize(), options.flushPolicy(), scorer))
                .returns(new AvroTypeInfo<>(Prediction.class))
                .name(uid)
                .uid(uid)
                .setParallelism(options.inferenceParallelism())
                .setMaxParallelism(options.maxParallelism());
    }
}
