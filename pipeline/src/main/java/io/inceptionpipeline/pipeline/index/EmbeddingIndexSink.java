package io.inceptionpipeline.pipeline.index;

import io.inceptionpipeline.schemas.Prediction;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStream;

/**
 * The embedding index as the predictions' second sink ({@code --index-dir DIR}): an {@link
 * IndexWriterOperator} per inference subtask, fed forward from it. A request id always reaches the
 * same subtask (its bucket is a hash of the id), so a request scored again replaces its own
 * document. The writer runs in its own task (not chained), so inference and indexing overlap.
 */
public final class EmbeddingIndexSink {

    private EmbeddingIndexSink() {}

    /**
     * Adds the index writer after {@code predictions}, at {@code parallelism}; {@code
     * checkpointed}: commit at checkpoints (else once at the end of the input); {@code beamWidth}:
     * HNSW candidates per insertion.
     */
    public static void attach(
            DataStream<Prediction> predictions,
            String indexDir,
            boolean checkpointed,
            int beamWidth,
            int parallelism) {
        predictions
                .transform(
                        "embedding-index",
                        Types.VOID,
                        new IndexWriterOperator(indexDir, checkpointed, beamWidth))
                .uid("embedding-index")
                .setParallelism(parallelism)
                .disableChaining();
    }
}
