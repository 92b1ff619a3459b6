package io.inceptionpipeline.cli;

import static io.inceptionpipeline.cli.ScoreCommandTest.run;
import static org.assertj.core.api.Assertions.assertThat;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.inceptionpipeline.cli.ScoreCommandTest.Run;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code export} command, run in-process. */
class ExportCommandTest {

    @TempDir Path dir;

    @Test
    void exportsTheShippedModelAsOnnx() throws Exception {
        Path file = dir.resolve("out/fmnist.onnx");
        Run run =
                run(
                        "export",
                        "--format",
                        "onnx",
                        "--model",
                        "inception_resnet_fmnist",
                        "--output",
                        file.toString());
        assertThat(run.exitCode()).as(run.stderr()).isZero();
        assertThat(run.stdout())
                .contains(file.toString())
                .contains("input  image      float32 [N,3,28,28]")
                .contains("output logits     float32 [N,10]")
                .contains("output embedding  float32 [N,256]");
        assertThat(run.stderr()).contains("exported inception_resnet_fmnist", "opset 17");
        assertThat(Files.size(file)).isPositive();
        try (OrtSession session = OrtEnvironment.getEnvironment().createSession(file.toString())) {
            Map<String, String> metadata = session.getMetadata().getCustomMetadata();
            assertThat(metadata).containsEntry("model", "inception_resnet_fmnist");
            assertThat(metadata.get("weights_digest")).startsWith("sha256:");
            assertThat(session.getOutputNames()).containsExactly("logits", "embedding");
        }
    }

    @Test
    void anUnknownFormatIsAUsageError() throws Exception {
        Run run =
                run(
                        "export",
                        "--format",
                        "tflite",
                        "--model",
                        "inception_resnet_fmnist",
                        "--output",
                        dir.resolve("m.tflite").toString());
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.stderr()).contains("--format must be onnx, got 'tflite'");
        assertThat(dir.resolve("m.tflite")).doesNotExist();
    }

    @Test
    void aModelThatCannotBeLoadedExitsWith3() throws Exception {
        Path bad = Files.writeString(dir.resolve("bad.safetensors"), "nope");
        Run run =
                run(
                        "export",
                        "--format",
                        "onnx",
                        "--model",
                        "inception_resnet_fmnist",
                        "--weights",
                        bad.toString(),
                        "--output",
                        dir.resolve("m.onnx").toString());
        assertThat(run.exitCode()).isEqualTo(3);
        assertThat(run.stderr()).contains("cannot load model inception_resnet_fmnist");
        assertThat(dir.resolve("m.onnx")).doesNotExist();
    }
}
