package io.inceptionpipeline.pipeline;

import io.inceptionpipeline.operators.sql.ImagePredictFunction;
import io.inceptionpipeline.operators.sql.PredictConfig;
import io.inceptionpipeline.operators.sql.PredictionColumn;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.catalog.Column;
import org.apache.flink.table.catalog.ResolvedSchema;
import org.apache.flink.table.factories.FactoryUtil;
import org.apache.flink.table.factories.ModelProviderFactory;
import org.apache.flink.table.functions.AsyncPredictFunction;
import org.apache.flink.table.ml.AsyncPredictRuntimeProvider;
import org.apache.flink.table.ml.ModelProvider;
import org.apache.flink.table.types.logical.LogicalTypeFamily;

/**
 * The {@code inception} model provider of Flink SQL ({@code CREATE MODEL ... WITH ('provider' =
 * 'inception', ...)}), found through {@code
 * META-INF/services/org.apache.flink.table.factories.Factory}:
 *
 * <pre>{@code
 * CREATE MODEL irv2
 *   INPUT (uri STRING)
 *   OUTPUT (label STRING, score FLOAT, error STRING)
 *   WITH ('provider' = 'inception', 'model' = 'inception_resnet_v2',
 *         'weights' = '/models/irv2.safetensors', 'allowed-root' = '/data/images');
 * SELECT * FROM ML_PREDICT(TABLE uploads, MODEL irv2, DESCRIPTOR(uri));
 * }</pre>
 *
 * <p>Options are the {@code run} command's flags without their dashes, and go through the same
 * {@link JobOptions.Builder} (same defaults, same checks): a model that {@code run} would refuse is
 * refused at {@code CREATE MODEL}'s first use, on the client. The input is one column, {@code
 * STRING} (a URI) or {@code BYTES} (a Kafka request value, Avro or plain text); the output columns
 * are any of {@link PredictionColumn}'s, by name.
 */
public final class InceptionModelProviderFactory implements ModelProviderFactory {

    public static final String IDENTIFIER = "inception";

    static final ConfigOption<String> MODEL =
            ConfigOptions.key("model").stringType().noDefaultValue().withDescription("Model name.");
    static final ConfigOption<String> WEIGHTS =
            ConfigOptions.key("weights")
                    .stringType()
                    .noDefaultValue()
                    .withDescription("Weights file (.safetensors); else the shipped weights.");
    static final ConfigOption<String> ENGINE =
            ConfigOptions.key("engine").stringType().noDefaultValue();
    static final ConfigOption<List<String>> ALLOWED_ROOT =
            ConfigOptions.key("allowed-root")
                    .stringType()
                    .asList()
                    .noDefaultValue()
                    .withDescription("Folders file:// URIs may point into, separated by ';'.");
    static final ConfigOption<List<String>> ALLOWED_HOST =
            ConfigOptions.key("allowed-host").stringType().asList().noDefaultValue();
    static final ConfigOption<Boolean> ALLOW_PRIVATE_NETWORKS =
            ConfigOptions.key("allow-private-networks").booleanType().noDefaultValue();
    static final ConfigOption<Long> MAX_IMAGE_BYTES =
            ConfigOptions.key("max-image-bytes").longType().noDefaultValue();
    static final ConfigOption<Long> FETCH_TIMEOUT_MS =
            ConfigOptions.key("fetch-timeout-ms").longType().noDefaultValue();
    static final ConfigOption<Long> MAX_PIXELS =
            ConfigOptions.key("max-pixels").longType().noDefaultValue();
    static final ConfigOption<Boolean> EXIF =
            ConfigOptions.key("exif").booleanType().noDefaultValue();
    static final ConfigOption<String> ICC = ConfigOptions.key("icc").stringType().noDefaultValue();
    static final ConfigOption<String> CROP_MODE =
            ConfigOptions.key("crop-mode").stringType().noDefaultValue();
    static final ConfigOption<Integer> BATCH_SIZE =
            ConfigOptions.key("batch-size").intType().noDefaultValue();
    static final ConfigOption<Long> MAX_BATCH_DELAY_MS =
            ConfigOptions.key("max-batch-delay-ms").longType().noDefaultValue();
    static final ConfigOption<Integer> TOP_K =
            ConfigOptions.key("top-k").intType().noDefaultValue();
    static final ConfigOption<Integer> THREADS =
            ConfigOptions.key("threads")
                    .intType()
                    .noDefaultValue()
                    .withDescription("Engine threads (0: one per processor).");
    static final ConfigOption<Integer> DECODE_THREADS =
            ConfigOptions.key("decode-threads")
                    .intType()
                    .defaultValue(2)
                    .withDescription("Threads decoding and cropping, per parallel instance.");

    @Override
    public String factoryIdentifier() {
        return IDENTIFIER;
    }

    @Override
    public Set<ConfigOption<?>> requiredOptions() {
        return Set.of();
    }

    @Override
    public Set<ConfigOption<?>> optionalOptions() {
        return Set.of(
                MODEL,
                WEIGHTS,
                ENGINE,
                ALLOWED_ROOT,
                ALLOWED_HOST,
                ALLOW_PRIVATE_NETWORKS,
                MAX_IMAGE_BYTES,
                FETCH_TIMEOUT_MS,
                MAX_PIXELS,
                EXIF,
                ICC,
                CROP_MODE,
                BATCH_SIZE,
                MAX_BATCH_DELAY_MS,
                TOP_K,
                THREADS,
                DECODE_THREADS);
    }

    @Override
    public ModelProvider createModelProvider(Context context) {
        FactoryUtil.ModelProviderFactoryHelper helper =
                FactoryUtil.createModelProviderFactoryHelper(this, context);
        helper.validate();
        String model = context.getObjectIdentifier().asSummaryString();
        try {
            return new Provider(
                    config(
                            helper.getOptions(),
                            context.getCatalogModel().getResolvedInputSchema(),
                            context.getCatalogModel().getResolvedOutputSchema()));
        } catch (IllegalArgumentException e) {
            throw new ValidationException(
                    "Model " + model + " (provider 'inception'): " + e.getMessage(), e);
        }
    }

    /** The model's options and schemas as the predict function's validated configuration. */
    static PredictConfig config(
            ReadableConfig options, ResolvedSchema input, ResolvedSchema output) {
        List<PredictionColumn> columns = new ArrayList<>();
        for (Column column : output.getColumns()) {
            columns.add(
                    PredictionColumn.resolve(
                            column.getName(), column.getDataType().getLogicalType()));
        }
        JobOptions.Builder builder = JobOptions.builder().withoutKafka().version(version());
        options.getOptional(MODEL)
                .ifPresent(m -> builder.model(m, options.getOptional(WEIGHTS).orElse(null)));
        if (options.getOptional(MODEL).isEmpty() && options.getOptional(WEIGHTS).isPresent()) {
            throw new IllegalArgumentException("'weights' needs 'model'");
        }
        options.getOptional(ENGINE).ifPresent(builder::engine);
        options.getOptional(ALLOWED_ROOT).ifPresent(builder::allowedRoots);
        options.getOptional(ALLOWED_HOST).ifPresent(builder::allowedHosts);
        options.getOptional(ALLOW_PRIVATE_NETWORKS).ifPresent(builder::allowPrivateNetworks);
        options.getOptional(MAX_IMAGE_BYTES).ifPresent(builder::maxImageBytes);
        options.getOptional(FETCH_TIMEOUT_MS)
                .ifPresent(ms -> builder.fetchTimeout(Duration.ofMillis(ms)));
        options.getOptional(MAX_PIXELS).ifPresent(builder::maxPixels);
        options.getOptional(EXIF).ifPresent(builder::applyExif);
        options.getOptional(ICC).ifPresent(builder::icc);
        options.getOptional(CROP_MODE).ifPresent(builder::cropMode);
        builder.batching(
                options.getOptional(BATCH_SIZE).orElse(builder.batchSize),
                options.getOptional(MAX_BATCH_DELAY_MS).orElse(builder.maxBatchDelayMs));
        options.getOptional(TOP_K).ifPresent(builder::topK);
        options.getOptional(THREADS).ifPresent(builder::ompThreads);
        builder.embeddings(columns.contains(PredictionColumn.EMBEDDING));
        JobOptions job = builder.build();
        if (job.aggregates()) {
            throw new IllegalArgumentException(
                    "ML_PREDICT scores one crop of one model per row: 'crop-mode' must be center"
                            + " or none and 'model' one name");
        }
        return new PredictConfig(
                input(input),
                job.fetch(),
                job.prepare(),
                job.scorer(),
                job.batchSize(),
                job.maxBatchDelayMs(),
                options.get(DECODE_THREADS),
                columns);
    }

    private static PredictConfig.Input input(ResolvedSchema input) {
        List<Column> columns = input.getColumns();
        if (columns.size() != 1) {
            throw new IllegalArgumentException(
                    "INPUT must be one column, STRING (an image URI) or BYTES (a request's Kafka"
                            + " value), got "
                            + columns.size());
        }
        var type = columns.get(0).getDataType().getLogicalType();
        if (type.is(LogicalTypeFamily.CHARACTER_STRING)) {
            return PredictConfig.Input.URI;
        }
        if (type.is(LogicalTypeFamily.BINARY_STRING)) {
            return PredictConfig.Input.REQUEST;
        }
        throw new IllegalArgumentException(
                "INPUT must be STRING (an image URI) or BYTES (a request's Kafka value), got "
                        + type.asSummaryString());
    }

    private static String version() {
        String version =
                InceptionModelProviderFactory.class.getPackage().getImplementationVersion();
        return version != null ? version : "dev";
    }

    /** Immutable, so its copy is itself; ML_PREDICT runs it asynchronously. */
    private record Provider(PredictConfig config) implements AsyncPredictRuntimeProvider {

        @Override
        public AsyncPredictFunction createAsyncPredictFunction(Context context) {
            return new ImagePredictFunction(config);
        }

        @Override
        public ModelProvider copy() {
            return this;
        }
    }
}
