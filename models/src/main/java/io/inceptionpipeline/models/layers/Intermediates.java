package io.inceptionpipeline.models.layers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;

/**
 * Frees intermediate activations as soon as their consumer has run, during inference. Without it
 * every activation of a forward pass lives until the batch's {@code NDManager} closes: 13 GB for
 * Inception-ResNet-v2 at batch 32. Training keeps them all for the backward pass.
 */
public final class Intermediates {

    private Intermediates() {}

    /** Closes {@code consumed} unless training. */
    public static void release(boolean training, NDArray consumed) {
        if (!training && consumed != null) {
            consumed.close();
        }
    }

    /**
     * Closes the arrays of {@code consumed} that {@code produced} does not pass on, unless
     * training.
     */
    static void release(boolean training, NDList consumed, NDList produced) {
        if (training) {
            return;
        }
        for (NDArray array : consumed) {
            // by identity: NDArray.equals compares contents, a full pass and a sync
            if (produced.stream().noneMatch(kept -> kept == array)) {
                array.close();
            }
        }
    }
}
