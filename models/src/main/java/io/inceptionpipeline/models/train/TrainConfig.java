package io.inceptionpipeline.models.train;

import java.nio.file.Path;

/**
 * How {@link FashionMnistTrainer} trains.
 *
 * @param dataDir folder of the Fashion-MNIST idx files
 * @param outputDir where weights, checkpoints and the model card go
 * @param epochs passes over the training set
 * @param batchSize images per step
 * @param peakLearningRate SGD learning rate after warm-up
 * @param warmupEpochs epochs of linear warm-up before the cosine decay
 * @param momentum SGD momentum
 * @param weightDecay L2 weight decay
 * @param labelSmoothing ε of the label-smoothing loss (Inception-v3 paper: 0.1)
 * @param padding random-crop padding in pixels (0: no random crop)
 * @param flip random horizontal flips
 * @param seed seeds initialization, shuffling and augmentation
 * @param trainLimit use only the first N training images (0: all)
 * @param maxSteps stop after N steps (0: run all epochs), for smoke tests
 * @param threads OpenMP threads (0: one per processor)
 */
public record TrainConfig(
        Path dataDir,
        Path outputDir,
        int epochs,
        int batchSize,
        float peakLearningRate,
        float warmupEpochs,
        float momentum,
        float weightDecay,
        float labelSmoothing,
        int padding,
        boolean flip,
        long seed,
        int trainLimit,
        int maxSteps,
        int threads) {

    public TrainConfig {
        if (epochs < 1
                || batchSize < 1
                || peakLearningRate <= 0
                || warmupEpochs < 0
                || momentum < 0
                || weightDecay < 0
                || labelSmoothing < 0
                || labelSmoothing >= 1
                || padding < 0
                || trainLimit < 0
                || maxSteps < 0) {
            throw new IllegalArgumentException("Invalid training configuration: " + this);
        }
    }

    /** The recipe of the shipped model. */
    public static TrainConfig defaults(Path dataDir, Path outputDir) {
        return new TrainConfig(
                dataDir, outputDir, 10, 128, 0.1f, 1f, 0.9f, 5e-4f, 0.1f, 2, true, 17, 0, 0, 0);
    }
}
