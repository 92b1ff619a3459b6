package io.inceptionpipeline.models.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.training.loss.Loss;

/**
 * Cross-entropy with label smoothing (Szegedy et al., "Rethinking the Inception Architecture",
 * 2015, section 7): the target puts {@code 1 - ε} on the true class and spreads {@code ε}
 * uniformly, so the loss is {@code (1 - ε)·NLL(true) + ε·mean_k(-log p_k)}. Reads the logits from
 * the first output of the network (the family's networks also return the embedding).
 */
public final class LabelSmoothingLoss extends Loss {

    private final float epsilon;

    public LabelSmoothingLoss(float epsilon) {
        super("label_smoothing_ce");
        if (epsilon < 0 || epsilon >= 1) {
            throw new IllegalArgumentException("epsilon must be in [0, 1), got " + epsilon);
        }
        this.epsilon = epsilon;
    }

    @Override
    public NDArray evaluate(NDList labels, NDList predictions) {
        NDArray logProbabilities = predictions.head().logSoftmax(1);
        NDArray nll =
                logProbabilities.get(new NDIndex().addAllDim().addPickDim(labels.head())).neg();
        NDArray uniform = logProbabilities.mean(new int[] {1}).neg();
        return nll.mul(1 - epsilon).add(uniform.mul(epsilon)).mean();
    }
}
