package io.inceptionpipeline.operators.sql;

import io.inceptionpipeline.schemas.ErrorCode;
import io.inceptionpipeline.schemas.Prediction;
import io.inceptionpipeline.schemas.Stage;

/**
 * What {@code ML_PREDICT} answers for one input row: the prediction, or the failure the DataStream
 * job would send to its dead letters (stage, code, message). Failures are rows, never a failed job.
 */
public record PredictOutcome(
        String requestId, Prediction prediction, Stage stage, ErrorCode code, String message) {

    public static PredictOutcome scored(Prediction prediction) {
        return new PredictOutcome(prediction.getRequestId(), prediction, null, null, null);
    }

    public static PredictOutcome failed(
            String requestId, Stage stage, ErrorCode code, String message) {
        return new PredictOutcome(requestId, null, stage, code, message);
    }

    public boolean isFailure() {
        return prediction == null;
    }

    /** {@code STAGE/CODE: message}, as a dead letter reads; null for a prediction. */
    public String error() {
        return isFailure() ? stage + "/" + code + ": " + message : null;
    }
}
