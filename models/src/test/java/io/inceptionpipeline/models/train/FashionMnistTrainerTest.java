package io.inceptionpipeline.models.train;

import static org.assertj.core.api.Assertions.assertThat;

import io.inceptionpipeline.models.spec.ModelRegistry;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A short training run on a subset: the loss falls and every step of the recipe runs. */
class FashionMnistTrainerTest {

    @TempDir Path output;

    @Test
    void aFewHundredStepsLowerTheLoss() throws Exception {
        TrainConfig config =
                new TrainConfig(
                        FashionMnist.DEBIAN_DIR,
                        output,
                        2,
                        32,
                        0.05f,
                        0.2f,
                        0.9f,
                        5e-4f,
                        0.1f,
                        2,
                        true,
                        3,
                        3000,
                        180,
                        0);
        ByteArrayOutputStream progress = new ByteArrayOutputStream();
        FashionMnistTrainer.Result result =
                new FashionMnistTrainer(
                                ModelRegistry.get("inception_resnet_fmnist"),
                                config,
                                new PrintStream(progress, true, StandardCharsets.UTF_8))
                        .run();

        assertThat(result.steps()).isEqualTo(180);
        List<Float> losses = result.stepLosses();
        double first =
                losses.subList(0, 20).stream()
                        .mapToDouble(Float::doubleValue)
                        .average()
                        .orElseThrow();
        double last =
                losses.subList(losses.size() - 20, losses.size()).stream()
                        .mapToDouble(Float::doubleValue)
                        .average()
                        .orElseThrow();
        assertThat(last)
                .as("mean loss of the last 20 steps vs the first 20")
                .isLessThan(first * 0.7);
        assertThat(result.weights()).exists();
        assertThat(output.resolve("checkpoints/epoch-01.safetensors")).exists();
        assertThat(result.test().count()).isEqualTo(10_000);
        assertThat(result.test().top1Accuracy()).as("well above chance (10%)").isGreaterThan(0.4);
        assertThat(progress.toString(StandardCharsets.UTF_8))
                .contains("epoch 1/2")
                .contains("loss")
                .contains("acc");
    }
}
