package io.inceptionpipeline.models.train;

import io.inceptionpipeline.models.spec.ModelSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** The MODEL_CARD.md a training run writes next to its weights. */
public final class ModelCard {

    private ModelCard() {}

    public static Path write(
            Path directory,
            ModelSpec spec,
            TrainConfig config,
            FashionMnistTrainer.Result result,
            String command,
            String machine,
            String weightsDigest,
            long parameters,
            long macs)
            throws IOException {
        StringBuilder md = new StringBuilder();
        md.append("# ").append(spec.name()).append("\n\n").append(spec.title()).append(".\n\n");
        md.append("## Model\n\n");
        md.append(
                String.format(
                        Locale.ROOT,
                        "- architecture: `CompactInceptionResNet` (models/src/main/java/io/inceptionpipeline/models/compact), "
                                + "built from Inception-ResNet-v2's cells%n- parameters: %,d%n- multiply-accumulates per image: %,d (28×28)%n"
                                + "- embedding: %d floats%n- input: %d×%d, grey replicated to 3 channels, (x/255 − 0.2860) / 0.3530%n"
                                + "- weights: `%s` (%s)%n%n",
                        parameters,
                        macs,
                        spec.embeddingSize(),
                        spec.inputSize(),
                        spec.inputSize(),
                        result.weights().getFileName(),
                        weightsDigest));
        md.append(
                "## Data\n\nFashion-MNIST (Xiao, Rasul and Vollgraf, 2017) from Debian's `dataset-fashion-mnist`: ");
        md.append("60,000 training and 10,000 test images, 28×28 grey, 10 classes. Trained on ");
        md.append(config.trainLimit() > 0 ? "the first " + config.trainLimit() : "all 60,000");
        md.append(
                " training images; evaluated on all 10,000 test images, which training never saw.\n\n");
        md.append("## Training\n\n");
        md.append("```\n").append(command).append("\n```\n\n");
        md.append(
                String.format(
                        Locale.ROOT,
                        "- DJL %s, MXNet engine, CPU; SGD, momentum %.2f, weight decay %.0e, batch %d, peak learning rate %.3f, "
                                + "%.1f epoch(s) linear warm-up then cosine decay to 0%n"
                                + "- label smoothing ε = %.2f; augmentation: random crop after %d-pixel zero padding, horizontal flip: %s%n"
                                + "- seed %d, %d epochs, %d steps%n- wall time: %.0f s (%.1f min) on %s%n%n",
                        ai.djl.engine.Engine.getDjlVersion(),
                        config.momentum(),
                        config.weightDecay(),
                        config.batchSize(),
                        config.peakLearningRate(),
                        config.warmupEpochs(),
                        config.labelSmoothing(),
                        config.padding(),
                        config.flip(),
                        config.seed(),
                        result.epochs(),
                        result.steps(),
                        result.seconds(),
                        result.seconds() / 60,
                        machine));
        for (String line : result.epochLog()) {
            md.append("- ").append(line).append('\n');
        }
        md.append("\n## Test accuracy\n\n").append(result.test().markdown());
        Path card = directory.resolve("MODEL_CARD.md");
        Files.writeString(card, md.toString());
        return card;
    }
}
