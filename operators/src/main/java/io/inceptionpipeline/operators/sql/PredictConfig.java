package io.inceptionpipeline.operators.sql;

import io.inceptionpipeline.operators.batch.BatchScorer;
import io.inceptionpipeline.operators.decode.PrepareConfig;
import io.inceptionpipeline.operators.fetch.FetchConfig;
import java.io.Serializable;
import java.util.List;

/**
 * Everything {@link ImagePredictFunction} needs, already validated (the model provider builds it
 * from the model's options through the job's own option checks).
 *
 * @param input what the model's one input column holds
 * @param fetch URI policy and fetch limits, as the job's
 * @param prepare decoder limits and preprocessing, as the job's (one crop per image)
 * @param scorer opens the model (with its known-answer check) once per function instance
 * @param batchSize most rows per forward pass
 * @param maxBatchDelayMs longest a row waits for its batch to fill
 * @param decodeThreads threads decoding and cropping fetched images, per function instance
 * @param columns the model's output columns, in declared order
 */
public record PredictConfig(
        Input input,
        FetchConfig fetch,
        PrepareConfig prepare,
        BatchScorer.Factory scorer,
        int batchSize,
        long maxBatchDelayMs,
        int decodeThreads,
        List<PredictionColumn> columns)
        implements Serializable {

    /** The model's input column: its SQL type says how the job's request reader sees it. */
    public enum Input {
        /** {@code STRING}: one image URI (a plain-text request). */
        URI,
        /**
         * {@code BYTES}: a request's Kafka value, an Avro single-object {@code ScoringRequest} (URI
         * or inline image, request id) or a plain-text URI.
         */
        REQUEST
    }

    public PredictConfig {
        columns = List.copyOf(columns);
        if (input == null || fetch == null || prepare == null || scorer == null) {
            throw new IllegalArgumentException("input, fetch, prepare and scorer must be given");
        }
        if (batchSize < 1 || maxBatchDelayMs < 0 || decodeThreads < 1) {
            throw new IllegalArgumentException(
                    "batch size and decode threads must be >= 1, the batch delay not negative");
        }
        if (columns.isEmpty()) {
            throw new IllegalArgumentException("The model declares no output column");
        }
    }
}
