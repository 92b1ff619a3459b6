package io.inceptionpipeline.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.inceptionpipeline.operators.inference.ModelScorerFactory;
import io.inceptionpipeline.operators.sql.PredictConfig;
import io.inceptionpipeline.operators.sql.PredictionColumn;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.catalog.Column;
import org.apache.flink.table.catalog.ResolvedSchema;
import org.apache.flink.table.factories.FactoryUtil;
import org.apache.flink.table.factories.ModelProviderFactory;
import org.apache.flink.table.types.DataType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The provider is found by Flink's SPI under {@code inception}, and a model's options and schemas
 * become the function's configuration through the job's own checks.
 */
class InceptionModelProviderFactoryTest {

    @TempDir Path images;

    static ResolvedSchema schema(Object... namesAndTypes) {
        Column[] columns = new Column[namesAndTypes.length / 2];
        for (int i = 0; i < columns.length; i++) {
            columns[i] =
                    Column.physical(
                            (String) namesAndTypes[2 * i], (DataType) namesAndTypes[2 * i + 1]);
        }
        return ResolvedSchema.of(columns);
    }

    static final ResolvedSchema URI = schema("uri", DataTypes.STRING());
    static final ResolvedSchema OUT =
            schema(
                    "label", DataTypes.STRING(),
                    "score", DataTypes.FLOAT(),
                    "top_k",
                            DataTypes.ARRAY(
                                    DataTypes.ROW(
                                            DataTypes.FIELD("idx", DataTypes.INT()),
                                            DataTypes.FIELD("label", DataTypes.STRING()),
                                            DataTypes.FIELD("score", DataTypes.FLOAT()))),
                    "embedding", DataTypes.ARRAY(DataTypes.FLOAT()),
                    "error", DataTypes.STRING());

    Configuration options(String... keysAndValues) {
        Map<String, String> map = new HashMap<>();
        map.put("model", "inception_resnet_fmnist");
        map.put("allowed-root", images.toString());
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return Configuration.fromMap(map);
    }

    @Test
    void flinksServiceLoaderFindsTheProvider() {
        ModelProviderFactory factory =
                FactoryUtil.discoverFactory(
                        getClass().getClassLoader(), ModelProviderFactory.class, "inception");
        assertThat(factory).isInstanceOf(InceptionModelProviderFactory.class);
    }

    @Test
    void optionsGoThroughTheJobsBuilder() {
        PredictConfig config =
                InceptionModelProviderFactory.config(
                        options("batch-size", "16", "max-batch-delay-ms", "50", "top-k", "3"),
                        URI,
                        OUT);
        assertThat(config.input()).isEqualTo(PredictConfig.Input.URI);
        assertThat(config.batchSize()).isEqualTo(16);
        assertThat(config.maxBatchDelayMs()).isEqualTo(50);
        assertThat(config.fetch().allowedRoots()).containsExactly(images.toString());
        assertThat(config.columns())
                .containsExactly(
                        PredictionColumn.LABEL,
                        PredictionColumn.SCORE,
                        PredictionColumn.TOP_K,
                        PredictionColumn.EMBEDDING,
                        PredictionColumn.ERROR);
        ModelScorerFactory scorer = (ModelScorerFactory) config.scorer();
        assertThat(scorer.model()).isEqualTo("inception_resnet_fmnist");
        assertThat(scorer.topK()).isEqualTo(3);
        assertThat(scorer.embeddings()).as("embedding declared").isTrue();
        // the job's defaults where the model says nothing
        JobOptions defaults = JobOptions.builder().withoutKafka().build();
        PredictConfig plain =
                InceptionModelProviderFactory.config(
                        options(),
                        schema("request", DataTypes.BYTES()),
                        schema("error", DataTypes.STRING()));
        assertThat(plain.input()).isEqualTo(PredictConfig.Input.REQUEST);
        assertThat(plain.batchSize()).isEqualTo(defaults.batchSize());
        assertThat(plain.maxBatchDelayMs()).isEqualTo(defaults.maxBatchDelayMs());
        assertThat(plain.prepare().maxPixels()).isEqualTo(defaults.prepare().maxPixels());
        assertThat(((ModelScorerFactory) plain.scorer()).embeddings()).isFalse();
    }

    @Test
    void whatTheJobWouldRefuseIsRefused() {
        assertThatThrownBy(
                        () ->
                                InceptionModelProviderFactory.config(
                                        options("batch-size", "0"), URI, OUT))
                .hasMessageContaining("batch size must be in [1, 4096], got 0");
        assertThatThrownBy(
                        () ->
                                InceptionModelProviderFactory.config(
                                        options("crop-mode", "ten"), URI, OUT))
                .hasMessageContaining("'crop-mode' must be center or none");
        assertThatThrownBy(
                        () ->
                                InceptionModelProviderFactory.config(
                                        options("model", "no_such_model"), URI, OUT))
                .hasMessageContaining("no_such_model");
        assertThatThrownBy(
                        () ->
                                InceptionModelProviderFactory.config(
                                        options("allowed-root", "/no/such/root"), URI, OUT))
                .hasMessageContaining("/no/such/root");
    }

    @Test
    void schemasAreChecked() {
        assertThatThrownBy(
                        () ->
                                InceptionModelProviderFactory.config(
                                        options(), URI, schema("labels", DataTypes.STRING())))
                .hasMessageContaining("Unknown output column 'labels'")
                .hasMessageContaining("label, score, class_index, top_k");
        assertThatThrownBy(
                        () ->
                                InceptionModelProviderFactory.config(
                                        options(), URI, schema("score", DataTypes.DOUBLE())))
                .hasMessageContaining("Output column 'score' must be FLOAT, declared DOUBLE");
        assertThatThrownBy(
                        () ->
                                InceptionModelProviderFactory.config(
                                        options(),
                                        URI,
                                        schema("label", DataTypes.STRING().notNull())))
                .hasMessageContaining("Output column 'label' must be STRING");
        assertThatThrownBy(
                        () ->
                                InceptionModelProviderFactory.config(
                                        options(), schema("uri", DataTypes.INT()), OUT))
                .hasMessageContaining("INPUT must be STRING (an image URI) or BYTES");
        assertThatThrownBy(
                        () ->
                                InceptionModelProviderFactory.config(
                                        options(),
                                        schema("a", DataTypes.STRING(), "b", DataTypes.STRING()),
                                        OUT))
                .hasMessageContaining("INPUT must be one column");
    }
}
