package io.inceptionpipeline.operators.sql;

import static org.assertj.core.api.Assertions.assertThat;

import io.inceptionpipeline.schemas.ClassScore;
import io.inceptionpipeline.schemas.ErrorCode;
import io.inceptionpipeline.schemas.ModelInfo;
import io.inceptionpipeline.schemas.Prediction;
import io.inceptionpipeline.schemas.Stage;
import io.inceptionpipeline.schemas.Timings;
import java.time.Instant;
import java.util.List;
import org.apache.flink.table.data.GenericArrayData;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;
import org.junit.jupiter.api.Test;

/** Each {@code ML_PREDICT} output column's value, on a scored row and on a failed one. */
class PredictionColumnTest {

    static Prediction prediction(List<Float> embedding) {
        return Prediction.newBuilder()
                .setRequestId("r-1")
                .setUri("file:///x.png")
                .setModel(
                        new ModelInfo(
                                "inception_resnet_fmnist",
                                "0.1",
                                "sha256:abc",
                                "onnxruntime",
                                "fp32",
                                "cpu"))
                .setTopK(
                        List.of(new ClassScore(3, "dress", 0.75f), new ClassScore(0, "top", 0.25f)))
                .setEmbedding(embedding)
                .setCropMode("center")
                .setTimings(new Timings(0f, 0f, 0f, 0f))
                .setBatchSize(4)
                .setScoredAt(Instant.ofEpochMilli(1_700_000_000_123L))
                .build();
    }

    @Test
    void everyColumnReadsItsValueOffAScoredRow() {
        PredictOutcome scored = PredictOutcome.scored(prediction(List.of(0.5f, -1f)));
        assertThat(PredictionColumn.LABEL.of(scored)).isEqualTo(StringData.fromString("dress"));
        assertThat(PredictionColumn.SCORE.of(scored)).isEqualTo(0.75f);
        assertThat(PredictionColumn.CLASS_INDEX.of(scored)).isEqualTo(3);
        assertThat(((GenericArrayData) PredictionColumn.TOP_K.of(scored)).toObjectArray())
                .containsExactly(
                        GenericRowData.of(3, StringData.fromString("dress"), 0.75f),
                        GenericRowData.of(0, StringData.fromString("top"), 0.25f));
        assertThat(((GenericArrayData) PredictionColumn.EMBEDDING.of(scored)).toObjectArray())
                .containsExactly(0.5f, -1f);
        assertThat(PredictionColumn.ERROR.of(scored)).isNull();
        assertThat(PredictionColumn.ERROR_CODE.of(scored)).isNull();
        assertThat(PredictionColumn.REQUEST_ID.of(scored)).isEqualTo(StringData.fromString("r-1"));
        assertThat(PredictionColumn.MODEL.of(scored))
                .isEqualTo(StringData.fromString("inception_resnet_fmnist"));
        assertThat(PredictionColumn.WEIGHTS_DIGEST.of(scored))
                .isEqualTo(StringData.fromString("sha256:abc"));
        assertThat(PredictionColumn.ENGINE.of(scored))
                .isEqualTo(StringData.fromString("onnxruntime"));
        assertThat(PredictionColumn.PRECISION.of(scored)).isEqualTo(StringData.fromString("fp32"));
        assertThat(PredictionColumn.DEVICE.of(scored)).isEqualTo(StringData.fromString("cpu"));
        assertThat(PredictionColumn.SCORED_AT.of(scored))
                .isEqualTo(TimestampData.fromInstant(Instant.ofEpochMilli(1_700_000_000_123L)));
        assertThat(PredictionColumn.BATCH_SIZE.of(scored)).isEqualTo(4);

        PredictOutcome withoutEmbedding = PredictOutcome.scored(prediction(null));
        assertThat(PredictionColumn.EMBEDDING.of(withoutEmbedding)).isNull();
    }

    @Test
    void aFailedRowHasOnlyItsIdAndItsError() {
        PredictOutcome failed =
                PredictOutcome.failed("r-2", Stage.FETCH, ErrorCode.NOT_FOUND, "gone");
        for (PredictionColumn column : PredictionColumn.values()) {
            Object expected =
                    switch (column) {
                        case ERROR -> StringData.fromString("FETCH/NOT_FOUND: gone");
                        case ERROR_CODE -> StringData.fromString("NOT_FOUND");
                        case REQUEST_ID -> StringData.fromString("r-2");
                        default -> null;
                    };
            assertThat(column.of(failed)).as(column.sqlName()).isEqualTo(expected);
        }
    }
}
