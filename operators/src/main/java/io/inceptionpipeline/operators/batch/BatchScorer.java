package io.inceptionpipeline.operators.batch;

import io.inceptionpipeline.operators.records.CroppedImage;
import io.inceptionpipeline.schemas.Prediction;
import java.io.Serializable;
import java.util.List;

/** Scores a batch of crops in one forward pass. One instance per subtask, opened with it. */
public interface BatchScorer extends AutoCloseable {

    /** One prediction per crop, in order. {@code queueEndMs} is when the batch started. */
    List<Prediction> score(List<CroppedImage> batch, long queueEndMs) throws Exception;

    @Override
    void close();

    /** Creates the scorer inside the task: it is shipped to the cluster, the scorer is not. */
    interface Factory extends Serializable {
        /** {@code subtask} picks the device: GPU {@code subtask % gpus} when there are GPUs. */
        BatchScorer open(int subtask) throws Exception;
    }
}
