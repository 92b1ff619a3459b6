package io.inceptionpipeline.models.train;

import ai.djl.training.tracker.Tracker;

/**
 * Learning rate that rises linearly from 0 to {@code peak} over {@code warmupSteps}, then follows a
 * half cosine down to {@code floor} at {@code totalSteps}.
 */
public record WarmupCosine(float peak, float floor, int warmupSteps, int totalSteps)
        implements Tracker {

    public WarmupCosine {
        if (peak <= 0
                || floor < 0
                || floor > peak
                || warmupSteps < 0
                || totalSteps <= warmupSteps) {
            throw new IllegalArgumentException(
                    "Need 0 <= floor <= peak, 0 <= warmup < total steps");
        }
    }

    @Override
    public float getNewValue(int step) {
        if (step < warmupSteps) {
            return peak * (step + 1) / warmupSteps;
        }
        double progress = Math.min(1.0, (double) (step - warmupSteps) / (totalSteps - warmupSteps));
        return (float) (floor + (peak - floor) * 0.5 * (1 + Math.cos(Math.PI * progress)));
    }
}
