package io.inceptionpipeline.pipeline;

import io.inceptionpipeline.models.image.CropMode;
import io.inceptionpipeline.models.inference.CalibrationMethod;
import io.inceptionpipeline.models.inference.EnsembleSpec;
import io.inceptionpipeline.models.inference.Precision;
import io.inceptionpipeline.models.inference.ScoringModel;
import io.inceptionpipeline.operators.aggregate.AggregationConfig;
import io.inceptionpipeline.operators.batch.FlushPolicy;
import io.inceptionpipeline.operators.decode.IccMode;
import io.inceptionpipeline.operators.decode.PrepareConfig;
import io.inceptionpipeline.operators.fetch.FetchConfig;
import io.inceptionpipeline.operators.fetch.S3Access;
import io.inceptionpipeline.operators.inference.ModelScorerFactory;
import java.io.Serializable;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Every setting of the scoring job, typed and validated in one place ({@link Builder#build()}). The
 * CLI parses flags into it; nothing else reads raw strings.
 */
public record JobOptions(
        String bootstrapServers,
        String inputTopic,
        String outputTopic,
        String deadLetterTopic,
        String groupId,
        String startingOffsets,
        boolean boundedInput,
        Map<String, String> kafkaProperties,
        int fetchParallelism,
        int inferenceParallelism,
        int maxParallelism,
        int fetchConcurrency,
        FetchConfig fetch,
        PrepareConfig prepare,
        int batchSize,
        long maxBatchDelayMs,
        ModelScorerFactory scorer,
        boolean exactlyOnce,
        String transactionalIdPrefix,
        long checkpointIntervalMs,
        long duplicateWindowMs,
        List<ModelScorerFactory> members,
        AggregationConfig aggregation,
        String indexDir,
        int indexBeamWidth,
        boolean embeddingNormalize,
        FlushPolicy flushPolicy,
        long bufferTimeoutMs,
        long alignedCheckpointTimeoutMs,
        int cropBufferBatches)
        implements Serializable {

    /**
     * Whether each request becomes several units (crops × ensemble members) averaged by the
     * aggregator; with one crop and one model the job keeps the direct path.
     */
    public boolean aggregates() {
        return aggregation != null;
    }

    /** Whether the predictions' embeddings also go into an embedding index ({@link #indexDir}). */
    public boolean indexes() {
        return indexDir != null;
    }

    /**
     * Checkpoint interval of the streaming job: exactly-once predictions become visible to {@code
     * read_committed} consumers at each checkpoint, so it bounds their latency (measured in
     * docs/benchmarks.md, "Latency of uploads").
     */
    public static final long DEFAULT_CHECKPOINT_INTERVAL_MS = 200;

    /** Topic of requests unless told otherwise (every command that reads or writes it). */
    public static final String DEFAULT_INPUT_TOPIC = "image-requests";

    /** Topic of predictions unless told otherwise. */
    public static final String DEFAULT_OUTPUT_TOPIC = "image-predictions";

    /** Topic of dead letters unless told otherwise. */
    public static final String DEFAULT_DEAD_LETTER_TOPIC = "image-dead-letters";

    /**
     * Longest a record waits in a network buffer of one exchange before it is sent (Flink's default
     * is 100 ms, paid at each of the job's keyBy exchanges).
     */
    public static final long DEFAULT_BUFFER_TIMEOUT_MS = 0;

    /**
     * How long an exactly-once checkpoint's barrier may queue behind records before the checkpoint
     * turns unaligned: its barrier then overtakes the queued records, which are stored with the
     * checkpoint. Under backpressure (a backlog behind a slow model) an aligned barrier waits
     * behind every record in the network buffers, thousands of small requests, so the checkpoint,
     * and the Kafka transaction it would commit, could stay open for minutes and be aborted by the
     * broker ({@code transaction.timeout.ms}): the job failed and restarted into the same backlog.
     * -1 keeps checkpoints aligned always; 0 makes every checkpoint unaligned.
     */
    public static final long DEFAULT_ALIGNED_CHECKPOINT_TIMEOUT_MS = 1_000;

    /**
     * Batches of crops the network buffers in front of the inference operator hold when this JVM
     * runs the job on its own MiniCluster ({@code local}, {@code archive}): {@link CropBuffers}
     * sizes Flink's network segments for them. 0 keeps Flink's defaults.
     */
    public static final int DEFAULT_CROP_BUFFER_BATCHES = 2;

    public static Builder builder() {
        return new Builder();
    }

    /** Builder with the defaults of {@code run}; {@link #build()} checks every setting. */
    public static final class Builder {
        String bootstrapServers;
        String inputTopic = DEFAULT_INPUT_TOPIC;
        String outputTopic = DEFAULT_OUTPUT_TOPIC;
        String deadLetterTopic = DEFAULT_DEAD_LETTER_TOPIC;
        String groupId = "inception-pipeline";
        String startingOffsets = "committed";
        boolean boundedInput;
        Map<String, String> kafkaProperties = Map.of();
        int fetchParallelism = 1;
        int inferenceParallelism = 1;
        int maxParallelism = 128;
        int fetchConcurrency = 32;
        List<String> allowedRoots = List.of();
        List<String> allowedHosts = List.of();
        boolean allowPrivateNetworks;
        List<String> allowedS3Buckets = List.of();
        String s3Endpoint;
        String s3Region;
        boolean s3PathStyle;
        boolean kafkaRequired = true;
        long maxImageBytes = 32L << 20;
        Duration fetchTimeout = Duration.ofSeconds(30);
        long maxPixels = 40_000_000L;
        boolean applyExif = true;
        String icc = "ignore";
        String model = "inception_resnet_v2";
        String weights;
        String engine = ScoringModel.DEFAULT_ENGINE_OPTION;
        String precision = "fp32";
        String calibration;
        int calibrationCount = 512;
        String calibrationMethod = CalibrationMethod.DEFAULT_ID;
        double calibrationPercentile = CalibrationMethod.DEFAULT_PERCENTILE;
        String cropMode = "center";
        String ensembleWeights;
        long aggregationTimeoutMs = 120_000;
        int batchSize = 8;
        long maxBatchDelayMs = 200;
        String batching = "latency";
        long bufferTimeoutMs = DEFAULT_BUFFER_TIMEOUT_MS;
        long alignedCheckpointTimeoutMs = DEFAULT_ALIGNED_CHECKPOINT_TIMEOUT_MS;
        int cropBufferBatches = DEFAULT_CROP_BUFFER_BATCHES;
        int topK = 5;
        boolean embeddings = true;
        int ompThreads;
        boolean exactlyOnce = true;
        String transactionalIdPrefix = "inception-pipeline";
        long checkpointIntervalMs = DEFAULT_CHECKPOINT_INTERVAL_MS;
        long duplicateWindowMs = 600_000;
        String version = "dev";
        String indexDir;
        int indexBeamWidth =
                io.inceptionpipeline.pipeline.index.EmbeddingDocuments.DEFAULT_BEAM_WIDTH;
        String embeddingNormalize = "none";

        public Builder bootstrapServers(String v) {
            bootstrapServers = v;
            return this;
        }

        public Builder topics(String input, String output, String deadLetters) {
            inputTopic = input;
            outputTopic = output;
            deadLetterTopic = deadLetters;
            return this;
        }

        public Builder groupId(String v) {
            groupId = v;
            return this;
        }

        public Builder startingOffsets(String v) {
            startingOffsets = v;
            return this;
        }

        public Builder boundedInput(boolean v) {
            boundedInput = v;
            return this;
        }

        public Builder kafkaProperties(Map<String, String> v) {
            kafkaProperties = Map.copyOf(v);
            return this;
        }

        public Builder parallelism(int fetch, int inference) {
            fetchParallelism = fetch;
            inferenceParallelism = inference;
            return this;
        }

        public Builder maxParallelism(int v) {
            maxParallelism = v;
            return this;
        }

        public Builder fetchConcurrency(int v) {
            fetchConcurrency = v;
            return this;
        }

        public Builder allowedRoots(List<String> v) {
            allowedRoots = List.copyOf(v);
            return this;
        }

        public Builder allowedHosts(List<String> v) {
            allowedHosts = List.copyOf(v);
            return this;
        }

        public Builder allowPrivateNetworks(boolean v) {
            allowPrivateNetworks = v;
            return this;
        }

        /**
         * S3 access: the buckets {@code s3://} URIs may name (none: {@code s3://} refused), an
         * endpoint for compatible stores (null: AWS), the region (null: the SDK's chain) and
         * path-style addressing.
         */
        public Builder s3(List<String> buckets, String endpoint, String region, boolean pathStyle) {
            allowedS3Buckets = List.copyOf(buckets);
            s3Endpoint = endpoint;
            s3Region = region;
            s3PathStyle = pathStyle;
            return this;
        }

        /**
         * For jobs that neither read nor write Kafka (archive mode to files): no servers needed.
         */
        public Builder withoutKafka() {
            kafkaRequired = false;
            return this;
        }

        public Builder maxImageBytes(long v) {
            maxImageBytes = v;
            return this;
        }

        public Builder fetchTimeout(Duration v) {
            fetchTimeout = v;
            return this;
        }

        public Builder maxPixels(long v) {
            maxPixels = v;
            return this;
        }

        public Builder applyExif(boolean v) {
            applyExif = v;
            return this;
        }

        /**
         * What decoding does with an embedded ICC profile: {@code ignore} (default: the stored
         * samples, as Pillow and so timm give them) or {@code convert} (to sRGB).
         */
        public Builder icc(String v) {
            icc = v;
            return this;
        }

        /**
         * The model, or an ensemble: {@code name} may list several models ({@code a,b,c}) and
         * {@code weightsFile} then one file per model ({@code fa,fb,fc}, an empty entry for a
         * model's default weights), or be null.
         */
        public Builder model(String name, String weightsFile) {
            model = name;
            weights = weightsFile;
            return this;
        }

        /**
         * Each ensemble member's weight in the averaged probabilities ({@code 2,1,1}); null: equal.
         */
        public Builder ensembleWeights(String v) {
            ensembleWeights = v;
            return this;
        }

        /** How long a multi-unit request may take from its first scored unit to its last. */
        public Builder aggregationTimeoutMs(long v) {
            aggregationTimeoutMs = v;
            return this;
        }

        /**
         * The deep learning engine: {@code auto} (default: the fastest that passes its checks on
         * each TaskManager), {@code mxnet}, {@code pytorch} or {@code onnxruntime}.
         */
        public Builder engine(String v) {
            engine = v;
            return this;
        }

        /**
         * {@code fp32} (default), or {@code int8} or {@code fp16} on ONNX Runtime, checked (and for
         * int8 calibrated) on the first {@code count} images of {@code calibrationDir} (null: the
         * shipped model's training images).
         */
        public Builder precision(String v, String calibrationDir, int count) {
            precision = v;
            calibration = calibrationDir;
            calibrationCount = count;
            return this;
        }

        /**
         * How int8 calibrates its activation ranges: {@code minmax} (default) or {@code percentile}
         * at {@code percentile} ({@link CalibrationMethod#of}).
         */
        public Builder calibrationMethod(String method, double percentile) {
            calibrationMethod = method;
            calibrationPercentile = percentile;
            return this;
        }

        public Builder cropMode(String v) {
            cropMode = v;
            return this;
        }

        public Builder batching(int size, long maxDelayMs) {
            batchSize = size;
            maxBatchDelayMs = maxDelayMs;
            return this;
        }

        /**
         * How a partial batch is scored: {@code latency} (as soon as no crop arrived for a timer
         * tick; {@code maxBatchDelayMs} a ceiling) or {@code throughput} (after {@code
         * maxBatchDelayMs}).
         */
        public Builder batching(String mode) {
            batching = mode;
            return this;
        }

        /**
         * Flink's network buffer timeout for every exchange of the job: 0 sends each record at
         * once, -1 only full buffers.
         */
        public Builder alignedCheckpointTimeoutMs(long v) {
            alignedCheckpointTimeoutMs = v;
            return this;
        }

        public Builder cropBufferBatches(int v) {
            cropBufferBatches = v;
            return this;
        }

        public Builder bufferTimeoutMs(long v) {
            bufferTimeoutMs = v;
            return this;
        }

        public Builder topK(int v) {
            topK = v;
            return this;
        }

        public Builder embeddings(boolean v) {
            embeddings = v;
            return this;
        }

        public Builder ompThreads(int v) {
            ompThreads = v;
            return this;
        }

        public Builder exactlyOnce(boolean v) {
            exactlyOnce = v;
            return this;
        }

        public Builder transactionalIdPrefix(String v) {
            transactionalIdPrefix = v;
            return this;
        }

        public Builder checkpointIntervalMs(long v) {
            checkpointIntervalMs = v;
            return this;
        }

        /** How long a request id is remembered to catch duplicates; 0: not checked. */
        public Builder duplicateWindowMs(long v) {
            duplicateWindowMs = v;
            return this;
        }

        /**
         * The embedding index folder (null: none): every prediction's embedding, keyed by request
         * id, committed with the checkpoints (or at the end of a bounded run without them).
         */
        public Builder indexDir(String v) {
            indexDir = v;
            return this;
        }

        /** HNSW candidates kept per inserted vector (build time against recall). */
        public Builder indexBeamWidth(int v) {
            indexBeamWidth = v;
            return this;
        }

        /**
         * {@code none} (default) or {@code l2}: the predictions' embeddings divided by their norm.
         */
        public Builder embeddingNormalize(String v) {
            embeddingNormalize = v;
            return this;
        }

        public Builder version(String v) {
            version = v;
            return this;
        }

        public JobOptions build() {
            check(
                    !kafkaRequired || bootstrapServers != null && !bootstrapServers.isBlank(),
                    "bootstrap servers are required");
            check(
                    !inputTopic.isBlank() && !outputTopic.isBlank() && !deadLetterTopic.isBlank(),
                    "topic names must not be empty");
            check(
                    !inputTopic.equals(outputTopic)
                            && !inputTopic.equals(deadLetterTopic)
                            && !outputTopic.equals(deadLetterTopic),
                    "input, output and dead-letter topics must differ");
            check(
                    List.of("committed", "earliest", "latest").contains(startingOffsets),
                    "starting offsets must be committed, earliest or latest, got %s",
                    startingOffsets);
            check(fetchParallelism >= 1 && inferenceParallelism >= 1, "parallelism must be >= 1");
            check(
                    maxParallelism >= Math.max(fetchParallelism, inferenceParallelism)
                            && maxParallelism <= 32768,
                    "max parallelism must be in [parallelism, 32768], got %s",
                    maxParallelism);
            check(fetchConcurrency >= 1, "fetch concurrency must be >= 1");
            check(
                    batchSize >= 1 && batchSize <= 4096,
                    "batch size must be in [1, 4096], got %s",
                    batchSize);
            check(maxBatchDelayMs >= 0, "max batch delay must not be negative");
            check(bufferTimeoutMs >= -1, "buffer timeout must be >= -1, got %s", bufferTimeoutMs);
            check(
                    alignedCheckpointTimeoutMs >= -1,
                    "aligned checkpoint timeout must be >= -1, got %s",
                    alignedCheckpointTimeoutMs);
            check(
                    cropBufferBatches >= 0 && cropBufferBatches <= CropBuffers.MAX_BATCHES,
                    "crop buffer batches must be in [0, %s], got %s",
                    CropBuffers.MAX_BATCHES,
                    cropBufferBatches);
            FlushPolicy flushPolicy;
            try {
                flushPolicy = FlushPolicy.parse(batching, maxBatchDelayMs);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(e.getMessage());
            }
            check(duplicateWindowMs >= 0, "the duplicate-id window must not be negative");
            check(topK >= 1, "top-k must be >= 1");
            check(
                    !exactlyOnce || checkpointIntervalMs > 0,
                    "exactly-once needs checkpointing (an interval > 0)");
            check(
                    !exactlyOnce || !transactionalIdPrefix.isBlank(),
                    "exactly-once needs a transactional id prefix");
            check(
                    embeddingNormalize.equals("none") || embeddingNormalize.equals("l2"),
                    "embedding normalization must be none or l2, got %s",
                    embeddingNormalize);
            check(
                    indexDir == null || embeddings,
                    "an embedding index (--index-dir) needs the embeddings (not --no-embeddings)");
            check(
                    indexDir == null || checkpointIntervalMs > 0 || boundedInput,
                    "an embedding index (--index-dir) commits at checkpoints: it needs a checkpoint"
                            + " interval > 0, or a bounded input (committed at its end)");
            check(
                    indexBeamWidth >= 1 && indexBeamWidth <= 3200,
                    "index beam width must be in [1, 3200], got %s",
                    indexBeamWidth);
            EnsembleSpec ensemble;
            CropMode crops;
            IccMode iccMode;
            try {
                ensemble = EnsembleSpec.parse(model, weights, ensembleWeights);
                Precision.parse(precision);
                CalibrationMethod.of(calibrationMethod, calibrationPercentile);
                crops = CropMode.parse(cropMode);
                iccMode = IccMode.parse(icc);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(e.getMessage());
            }
            for (EnsembleSpec.Member member : ensemble.members()) {
                if (member.weights() != null) {
                    check(
                            new java.io.File(member.weights()).isFile(),
                            "weights file %s does not exist",
                            member.weights());
                }
            }
            check(aggregationTimeoutMs >= 1, "aggregation timeout must be >= 1 ms");
            check(calibrationCount >= 1, "calibration count must be >= 1");
            check(
                    calibration == null || new java.io.File(calibration).isDirectory(),
                    "calibration directory %s does not exist",
                    calibration);
            boolean aggregate = crops.cropCount() > 1 || ensemble.isEnsemble();
            List<ModelScorerFactory> members = new java.util.ArrayList<>();
            for (EnsembleSpec.Member member : ensemble.members()) {
                members.add(
                        new ModelScorerFactory(
                                member.model(),
                                member.weights(),
                                42,
                                ScoringModel.engineName(engine),
                                // averaging needs every class's probability
                                aggregate ? Integer.MAX_VALUE : topK,
                                embeddings,
                                ompThreads,
                                version,
                                Precision.parse(precision).id(),
                                calibration,
                                calibrationCount,
                                calibrationMethod,
                                calibrationPercentile));
            }
            AggregationConfig aggregation =
                    aggregate
                            ? new AggregationConfig(
                                    crops.id(),
                                    crops.cropCount(),
                                    ensemble.members().stream()
                                            .map(EnsembleSpec.Member::model)
                                            .toList(),
                                    java.util.Arrays.stream(ensemble.weights()).boxed().toList(),
                                    topK,
                                    aggregationTimeoutMs)
                            : null;
            String firstModel = ensemble.members().get(0).model();
            FetchConfig fetch =
                    FetchConfig.defaults()
                            .withAllowedRoots(allowedRoots)
                            .withAllowedHosts(allowedHosts)
                            .withMaxBytes(maxImageBytes)
                            .withTimeouts(FetchConfig.defaults().connectTimeout(), fetchTimeout);
            if (allowPrivateNetworks) {
                fetch =
                        new FetchConfig(
                                fetch.allowedRoots(),
                                fetch.maxBytes(),
                                fetch.connectTimeout(),
                                fetch.totalTimeout(),
                                fetch.maxRedirects(),
                                true,
                                fetch.allowedHosts(),
                                fetch.fileThreads());
            }
            try {
                fetch =
                        fetch.withS3(
                                new S3Access(allowedS3Buckets, s3Endpoint, s3Region, s3PathStyle));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(e.getMessage());
            }
            new io.inceptionpipeline.operators.fetch.UriPolicy(fetch); // checks the roots exist
            return new JobOptions(
                    bootstrapServers,
                    inputTopic,
                    outputTopic,
                    deadLetterTopic,
                    groupId,
                    startingOffsets,
                    boundedInput,
                    kafkaProperties,
                    fetchParallelism,
                    inferenceParallelism,
                    maxParallelism,
                    fetchConcurrency,
                    fetch,
                    new PrepareConfig(firstModel, cropMode, maxPixels, applyExif, iccMode),
                    batchSize,
                    maxBatchDelayMs,
                    members.get(0),
                    exactlyOnce,
                    transactionalIdPrefix,
                    checkpointIntervalMs,
                    duplicateWindowMs,
                    List.copyOf(members),
                    aggregation,
                    indexDir == null
                            ? null
                            : java.nio.file.Path.of(indexDir).toAbsolutePath().toString(),
                    indexBeamWidth,
                    embeddingNormalize.equals("l2"),
                    flushPolicy,
                    bufferTimeoutMs,
                    alignedCheckpointTimeoutMs,
                    cropBufferBatches);
        }

        private static void check(boolean condition, String message, Object... args) {
            if (!condition) {
                throw new IllegalArgumentException(String.format(message, args));
            }
        }
    }
}
