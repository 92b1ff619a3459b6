package io.inceptionpipeline.cli;

import io.inceptionpipeline.models.inference.ScoringModel;
import io.inceptionpipeline.pipeline.JobOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The job's flags, shared by {@code run} and {@code local}; {@link #toBuilder()} maps them. */
final class JobCliOptions {

    @Mixin TopicOptions topics;

    @Option(
            names = "--group-id",
            defaultValue = "inception-pipeline",
            description = "Consumer group. Default: ${DEFAULT-VALUE}.")
    String groupId;

    @Option(
            names = "--starting-offsets",
            defaultValue = "committed",
            description =
                    "committed (the group's, else earliest), earliest or latest. Default: ${DEFAULT-VALUE}.")
    String startingOffsets;

    @Option(
            names = "--fetch-parallelism",
            defaultValue = "1",
            description =
                    "Parallel subtasks that read, fetch, decode and crop. Default: ${DEFAULT-VALUE}.")
    int fetchParallelism;

    @Option(
            names = "--inference-parallelism",
            defaultValue = "1",
            description =
                    "Parallel subtasks that batch and score, one model each (GPU subtask %% GPUs when present). Default: ${DEFAULT-VALUE}.")
    int inferenceParallelism;

    @Option(
            names = "--max-parallelism",
            defaultValue = "128",
            description = "Flink max parallelism (key groups). Default: ${DEFAULT-VALUE}.")
    int maxParallelism;

    @Option(
            names = "--fetch-concurrency",
            defaultValue = "32",
            description = "Fetches in flight per fetch subtask. Default: ${DEFAULT-VALUE}.")
    int fetchConcurrency;

    @Option(
            names = "--batch-size",
            defaultValue = "8",
            description = "Images per forward pass. Default: ${DEFAULT-VALUE}.")
    int batchSize;

    @Option(
            names = "--max-batch-delay-ms",
            defaultValue = "200",
            description =
                    "Longest an image waits in a partial batch (with --batching throughput: how long a partial batch waits to fill). Default: ${DEFAULT-VALUE}.")
    long maxBatchDelayMs;

    @Option(
            names = "--batching",
            defaultValue = "latency",
            description = {
                "latency: score a partial batch as soon as no image arrived for a timer tick (~1 ms), so a",
                "request finding the model idle is scored at once and batches form from what queued while",
                "it was busy; throughput: wait --max-batch-delay-ms for a batch to fill. Default: ${DEFAULT-VALUE}."
            })
    String batching;

    @Option(
            names = "--buffer-timeout-ms",
            defaultValue = "" + JobOptions.DEFAULT_BUFFER_TIMEOUT_MS,
            description =
                    "Flink network buffer timeout of every exchange: 0 sends each record at once, -1 waits for full buffers (Flink's default: 100). Default: ${DEFAULT-VALUE}.")
    long bufferTimeoutMs;

    @Option(
            names = "--top-k",
            defaultValue = "5",
            description = "Classes per prediction. Default: ${DEFAULT-VALUE}.")
    int topK;

    @Option(
            names = "--embeddings",
            negatable = true,
            defaultValue = "true",
            fallbackValue = "true",
            description =
                    "Emit the embedding with each prediction (--no-embeddings to leave it out). Default: ${DEFAULT-VALUE}.")
    boolean embeddings;

    @Option(
            names = "--model",
            defaultValue = "inception_resnet_v2",
            description = {
                "Model name, or several (a,b,c): an ensemble whose averaged probabilities answer each",
                "request; members share one preprocessing. Default: ${DEFAULT-VALUE}."
            })
    String model;

    @Option(
            names = "--ensemble-weights",
            paramLabel = "W1,W2,...",
            description =
                    "Each ensemble member's weight in the averaged probabilities. Default: equal.")
    String ensembleWeights;

    @Option(
            names = "--aggregation-timeout-ms",
            defaultValue = "120000",
            description = {
                "With several crops or models per request: a request not complete this long after its first",
                "scored unit goes to the dead letters (AGGREGATE/AGGREGATION_TIMEOUT). Default: ${DEFAULT-VALUE}."
            })
    long aggregationTimeoutMs;

    @Option(
            names = "--engine",
            defaultValue = ScoringModel.DEFAULT_ENGINE_OPTION,
            description =
                    "Deep learning engine: mxnet, pytorch or onnxruntime (the network exported to ONNX at load, or an .onnx --weights file), or auto: the fastest that passes its self-test and known answers on each TaskManager's machine (order onnxruntime, pytorch, mxnet; logged). Default: ${DEFAULT-VALUE}.")
    String engine;

    @Mixin PrecisionOption precisionOption;

    @Option(
            names = "--weights",
            paramLabel = "FILE",
            description =
                    "Weights (.safetensors or DJL .params), readable on every TaskManager; one per model of an ensemble (fa,fb,fc; empty for a model's default). Without it: the weights the model ships with, else seeded random weights.")
    String weights;

    @Option(
            names = {"--crop", "--crop-mode"},
            defaultValue = "center",
            description = {
                "center (one crop), none (images already at input size), ten (center and 4 corners, each",
                "mirrored) or multiscale (the GoogLeNet paper's 144 crops): the crops' probabilities are",
                "averaged into one prediction. Default: ${DEFAULT-VALUE}."
            })
    String cropMode;

    @Option(
            names = "--allowed-root",
            paramLabel = "DIR",
            description =
                    "A folder file:// URIs may point into (repeatable). Without any, file:// is refused.")
    List<String> allowedRoots = new ArrayList<>();

    @Option(
            names = "--allowed-host",
            paramLabel = "HOST[:PORT]|IP[:PORT]|CIDR[:PORT]",
            description = {
                "A host, address or CIDR block HTTP(S) may reach although private (repeatable).",
                "Forms: host, host:port, 10.1.2.3, 10.1.2.3:8080, ::1, [::1]:8080, 10.0.0.0/8,"
                        + " 10.0.0.0/8:443, fd00::/8:443. Without a port every port of it is"
                        + " allowed; write IPv6 with a port in brackets."
            })
    List<String> allowedHosts = new ArrayList<>();

    @Option(
            names = "--allow-private-networks",
            description =
                    "Let HTTP reach loopback, private and link-local addresses (unsafe with untrusted producers).")
    boolean allowPrivateNetworks;

    @Option(
            names = "--allow-s3-bucket",
            paramLabel = "BUCKET",
            description =
                    "A bucket s3:// URIs may name (repeatable). Without any, s3:// is refused: producers cannot make the job read what its credentials can.")
    List<String> allowedS3Buckets = new ArrayList<>();

    @Option(
            names = "--s3-endpoint",
            paramLabel = "URL",
            description =
                    "Endpoint of an S3-compatible store, e.g. http://minio:9000. Default: AWS.")
    String s3Endpoint;

    @Option(
            names = "--s3-region",
            paramLabel = "REGION",
            description =
                    "S3 region. Default: the AWS SDK's chain (AWS_REGION, profile), else us-east-1.")
    String s3Region;

    @Option(
            names = "--s3-path-style",
            description =
                    "Address buckets as ENDPOINT/BUCKET/KEY (most S3-compatible stores need it). Credentials: the AWS SDK's default chain (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, aws.accessKeyId/aws.secretAccessKey, profile, instance or container role).")
    boolean s3PathStyle;

    @Option(
            names = "--max-image-bytes",
            defaultValue = "33554432",
            description = "Largest image fetched or inline. Default: ${DEFAULT-VALUE} (32 MiB).")
    long maxImageBytes;

    @Option(
            names = "--fetch-timeout-ms",
            defaultValue = "30000",
            description = "Whole fetch of one URI. Default: ${DEFAULT-VALUE}.")
    long fetchTimeoutMs;

    @Option(
            names = "--max-pixels",
            defaultValue = "40000000",
            description =
                    "Pixel cap, checked from the header before decoding. Default: ${DEFAULT-VALUE}.")
    long maxPixels;

    @Option(
            names = "--exif",
            negatable = true,
            defaultValue = "true",
            fallbackValue = "true",
            description =
                    "Turn JPEGs upright by their EXIF orientation (--no-exif for timm's behaviour). Default: ${DEFAULT-VALUE}.")
    boolean exif;

    @Mixin IccOption iccOption;

    @Option(
            names = "--delivery",
            defaultValue = "exactly-once",
            description =
                    "exactly-once (transactional sinks; consumers use read_committed) or at-least-once. Default: ${DEFAULT-VALUE}.")
    String delivery;

    @Option(
            names = "--transactional-id-prefix",
            defaultValue = "inception-pipeline",
            description =
                    "Stable per job: Kafka transactional ids of the sinks. Default: ${DEFAULT-VALUE}.")
    String transactionalIdPrefix;

    @Option(
            names = "--checkpoint-interval-ms",
            defaultValue = "" + JobOptions.DEFAULT_CHECKPOINT_INTERVAL_MS,
            description =
                    "Checkpoint interval; exactly-once outputs become visible to read_committed consumers at each checkpoint, so this bounds their latency (see docs/benchmarks.md). Default: ${DEFAULT-VALUE}.")
    long checkpointIntervalMs;

    @Option(
            names = "--aligned-checkpoint-timeout-ms",
            defaultValue = "" + JobOptions.DEFAULT_ALIGNED_CHECKPOINT_TIMEOUT_MS,
            description =
                    "How long an exactly-once checkpoint waits for its barrier to pass the records queued ahead of it before it turns unaligned (the barrier overtakes them; they are stored with the checkpoint). Keeps checkpoints, and the Kafka transactions they commit, short when a backlog waits for the model. -1: always aligned; 0: always unaligned. Default: ${DEFAULT-VALUE}.")
    long alignedCheckpointTimeoutMs;

    @Option(
            names = "--crop-buffer-batches",
            paramLabel = "N",
            defaultValue = "" + JobOptions.DEFAULT_CROP_BUFFER_BATCHES,
            description =
                    "Batches of crops the network buffers in front of the model hold when the job runs in this JVM (local, archive): Flink's network segments are sized for them, so that the next batch is decoded while the model runs (the model reads no input during a forward pass). A cluster's TaskManagers take taskmanager.memory.segment-size from their own configuration (docs/deploy.md). 0: Flink's defaults. Default: ${DEFAULT-VALUE}.")
    int cropBufferBatches;

    @Option(
            names = "--duplicate-id-window-ms",
            defaultValue = "600000",
            description =
                    "A request whose id was already received this recently becomes a DUPLICATE_REQUEST_ID dead letter instead of a second prediction (0: no check; ids are kept in Flink state this long). Default: ${DEFAULT-VALUE}.")
    long duplicateWindowMs;

    @Option(
            names = "--kafka-property",
            paramLabel = "KEY=VALUE",
            description =
                    "A Kafka client setting for every client of the job, e.g. security.protocol=SASL_SSL (repeatable).")
    Map<String, String> kafkaProperties = new LinkedHashMap<>();

    @Option(
            names = "--threads",
            defaultValue = "0",
            description =
                    "Threads of the inference engine per model (0: one per processor; in local and archive, whose subtasks share one JVM, the processors divided among the --inference-parallelism subtasks): MXNet's and PyTorch's OpenMP pool per TaskManager JVM, ONNX Runtime's intra-op pool per session (one inter-op thread). Default: ${DEFAULT-VALUE}.")
    int threads;

    /**
     * For {@code local} and {@code archive}, whose inference subtasks all run in this JVM: {@code
     * --threads 0} becomes the processors divided among the subtasks (at least one each), so that
     * {@code --inference-parallelism 2} on two cores runs two one-thread sessions, not two
     * two-thread sessions competing for the same cores. A cluster's TaskManagers size their own.
     */
    void shareProcessorsInOneJvm() {
        if (threads == 0) {
            threads =
                    threadsPerSubtask(
                            Runtime.getRuntime().availableProcessors(), inferenceParallelism);
        }
    }

    static int threadsPerSubtask(int processors, int subtasks) {
        return Math.max(1, processors / Math.max(1, subtasks));
    }

    @Option(
            names = "--index-dir",
            paramLabel = "DIR",
            description = {
                "Also write every prediction's embedding, keyed by request id, into a Lucene HNSW index in DIR",
                "(DIR/part-<subtask>, one per inference subtask; a request scored again replaces its document),",
                "committed at each checkpoint (archive: at the end of the run). Query it with the search command."
            })
    String indexDir;

    @Option(
            names = "--index-beam-width",
            paramLabel = "N",
            defaultValue =
                    "" + io.inceptionpipeline.pipeline.index.EmbeddingDocuments.DEFAULT_BEAM_WIDTH,
            description =
                    "With --index-dir: HNSW candidates kept per inserted vector (Lucene's default is 100): higher finds more exact neighbors and indexes slower. Default: ${DEFAULT-VALUE}.")
    int indexBeamWidth;

    @Option(
            names = "--embedding-normalize",
            paramLabel = "none|l2",
            defaultValue = "none",
            description =
                    "l2: divide each prediction's embedding by its L2 norm (a dot product is then the cosine). The index normalizes its own copy either way. Default: ${DEFAULT-VALUE}.")
    String embeddingNormalize;

    JobOptions.Builder toBuilder() {
        if (!delivery.equals("exactly-once") && !delivery.equals("at-least-once")) {
            throw new IllegalArgumentException(
                    "--delivery must be exactly-once or at-least-once, got " + delivery);
        }
        return JobOptions.builder()
                .topics(topics.inputTopic, topics.outputTopic, topics.deadLetterTopic)
                .groupId(groupId)
                .startingOffsets(startingOffsets)
                .kafkaProperties(kafkaProperties)
                .parallelism(fetchParallelism, inferenceParallelism)
                .maxParallelism(maxParallelism)
                .fetchConcurrency(fetchConcurrency)
                .batching(batchSize, maxBatchDelayMs)
                .batching(batching)
                .bufferTimeoutMs(bufferTimeoutMs)
                .topK(topK)
                .embeddings(embeddings)
                .model(model, weights)
                .engine(engine)
                .precision(
                        precisionOption.precision,
                        precisionOption.calibration == null
                                ? null
                                : precisionOption.calibration.toString(),
                        precisionOption.calibrationCount)
                .calibrationMethod(
                        precisionOption.calibrationMethod, precisionOption.calibrationPercentile)
                .cropMode(cropMode)
                .ensembleWeights(ensembleWeights)
                .aggregationTimeoutMs(aggregationTimeoutMs)
                .allowedRoots(allowedRoots)
                .allowedHosts(allowedHosts)
                .allowPrivateNetworks(allowPrivateNetworks)
                .s3(allowedS3Buckets, s3Endpoint, s3Region, s3PathStyle)
                .maxImageBytes(maxImageBytes)
                .fetchTimeout(Duration.ofMillis(fetchTimeoutMs))
                .maxPixels(maxPixels)
                .applyExif(exif)
                .icc(iccOption.icc)
                .exactlyOnce(delivery.equals("exactly-once"))
                .transactionalIdPrefix(transactionalIdPrefix)
                .checkpointIntervalMs(checkpointIntervalMs)
                .alignedCheckpointTimeoutMs(alignedCheckpointTimeoutMs)
                .cropBufferBatches(cropBufferBatches)
                .duplicateWindowMs(duplicateWindowMs)
                .ompThreads(threads)
                .indexDir(indexDir)
                .indexBeamWidth(indexBeamWidth)
                .embeddingNormalize(embeddingNormalize)
                .version(Main.version());
    }
}
