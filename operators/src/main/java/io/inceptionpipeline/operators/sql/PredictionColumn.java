package io.inceptionpipeline.operators.sql;

import io.inceptionpipeline.schemas.ClassScore;
import io.inceptionpipeline.schemas.Prediction;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.data.GenericArrayData;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;
import org.apache.flink.table.types.DataType;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.utils.LogicalTypeCasts;

/**
 * The columns a {@code CREATE MODEL ... OUTPUT (...)} of the {@code inception} provider may
 * declare, by name, in any order and any subset: each knows its SQL type and how to read its value
 * off a {@link PredictOutcome}. On a failed row every column but {@code error}, {@code error_code}
 * and {@code request_id} is null.
 */
public enum PredictionColumn {
    /** Top-1 class label. */
    LABEL("label", DataTypes.STRING(), scored(p -> string(p.getTopK().get(0).getLabel()))),
    /** Top-1 softmax probability. */
    SCORE("score", DataTypes.FLOAT(), scored(p -> p.getTopK().get(0).getScore())),
    /** Top-1 class index (row of the classifier head). */
    CLASS_INDEX("class_index", DataTypes.INT(), scored(p -> p.getTopK().get(0).getIndex())),
    /** The {@code top-k} best classes, best first. */
    TOP_K(
            "top_k",
            DataTypes.ARRAY(
                    DataTypes.ROW(
                            DataTypes.FIELD("idx", DataTypes.INT()),
                            DataTypes.FIELD("label", DataTypes.STRING()),
                            DataTypes.FIELD("score", DataTypes.FLOAT()))),
            scored(PredictionColumn::topK)),
    /** The pooled feature vector; asking for it is what turns embeddings on. */
    EMBEDDING(
            "embedding",
            DataTypes.ARRAY(DataTypes.FLOAT()),
            scored(
                    p ->
                            p.getEmbedding() == null
                                    ? null
                                    : new GenericArrayData(p.getEmbedding().toArray()))),
    /** {@code STAGE/CODE: message} of a row that could not be scored; null when scored. */
    ERROR("error", DataTypes.STRING(), outcome -> string(outcome.error())),
    /**
     * The failure's code alone ({@code NOT_FOUND}, {@code CORRUPT_IMAGE}, ...); null when scored.
     */
    ERROR_CODE(
            "error_code",
            DataTypes.STRING(),
            outcome -> outcome.isFailure() ? string(outcome.code().name()) : null),
    /** The request id of an Avro request, else the URI. */
    REQUEST_ID("request_id", DataTypes.STRING(), outcome -> string(outcome.requestId())),
    /** The model's registry name. */
    MODEL("model", DataTypes.STRING(), scored(p -> string(p.getModel().getName()))),
    /** {@code sha256:<hex>} of the weights that scored the row. */
    WEIGHTS_DIGEST(
            "weights_digest",
            DataTypes.STRING(),
            scored(p -> string(p.getModel().getWeightsDigest()))),
    /** The engine that scored the row, as {@code --engine} names it ({@code auto}'s choice). */
    ENGINE("engine", DataTypes.STRING(), scored(p -> string(p.getModel().getEngine()))),
    /** The arithmetic that scored the row: {@code fp32}, {@code int8} or {@code fp16}. */
    PRECISION("precision", DataTypes.STRING(), scored(p -> string(p.getModel().getPrecision()))),
    /** The device that scored the row, as {@code --device} names it: {@code cpu}, {@code gpu:0}. */
    DEVICE("device", DataTypes.STRING(), scored(p -> string(p.getModel().getDevice()))),
    /** When the row's batch was scored. */
    SCORED_AT(
            "scored_at",
            DataTypes.TIMESTAMP_LTZ(3),
            scored(p -> TimestampData.fromInstant(p.getScoredAt()))),
    /** Images in the forward pass that scored this one. */
    BATCH_SIZE("batch_size", DataTypes.INT(), scored(Prediction::getBatchSize));

    private final String sqlName;
    private final DataType type;
    private final Function<PredictOutcome, Object> value;

    PredictionColumn(String sqlName, DataType type, Function<PredictOutcome, Object> value) {
        this.sqlName = sqlName;
        this.type = type;
        this.value = value;
    }

    /** A column of the prediction: null on a failed row. */
    private static Function<PredictOutcome, Object> scored(Function<Prediction, Object> value) {
        return outcome -> outcome.isFailure() ? null : value.apply(outcome.prediction());
    }

    private static StringData string(String value) {
        return StringData.fromString(value);
    }

    private static GenericArrayData topK(Prediction p) {
        List<ClassScore> top = p.getTopK();
        Object[] rows = new Object[top.size()];
        for (int i = 0; i < rows.length; i++) {
            ClassScore c = top.get(i);
            rows[i] = GenericRowData.of(c.getIndex(), string(c.getLabel()), c.getScore());
        }
        return new GenericArrayData(rows);
    }

    public String sqlName() {
        return sqlName;
    }

    public DataType type() {
        return type;
    }

    /** The column's internal (RowData) value for one outcome. */
    Object of(PredictOutcome outcome) {
        return value.apply(outcome);
    }

    /**
     * The column named {@code name} declared as {@code declared}; fails naming the known columns or
     * the expected type.
     */
    public static PredictionColumn resolve(String name, LogicalType declared) {
        PredictionColumn column =
                Arrays.stream(values())
                        .filter(c -> c.sqlName.equals(name.toLowerCase(Locale.ROOT)))
                        .findFirst()
                        .orElseThrow(
                                () ->
                                        new IllegalArgumentException(
                                                "Unknown output column '"
                                                        + name
                                                        + "' of an inception model; known: "
                                                        + String.join(", ", names())));
        // Our values may be null (every column of a failed row), so the declared type must take
        // ours as it is, nullable: NOT NULL columns are refused.
        if (!LogicalTypeCasts.supportsAvoidingCast(column.type.getLogicalType(), declared)) {
            throw new IllegalArgumentException(
                    "Output column '"
                            + name
                            + "' must be "
                            + column.type.getLogicalType().asSummaryString()
                            + ", declared "
                            + declared.asSummaryString());
        }
        return column;
    }

    static List<String> names() {
        return Arrays.stream(values()).map(c -> c.sqlName).toList();
    }
}
