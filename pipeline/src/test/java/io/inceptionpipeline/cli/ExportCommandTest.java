package io.inceptionpipeline.cli;

import static io.inceptionpipeline.cli.ScoreCommandTest.run;
import static org.assertj.core.api.Assertions.assertThat;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.inceptionpipeline.cli.ScoreCommandTest.Run;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code export} command, run in-process. */
class ExportCommandTest {

    @TempDir Path dir;

    @Test
    void exportsTheShippedModelAsOnnx() throws Exception {
        Path file = dir.resolve("out/fmnist.onnx");
        Run run = export("onnx", "inception_resnet_fmnist", file);
        assertThat(run.exitCode()).as(run.stderr()).isZero();
        assertThat(run.stdout())
                .contains(file.toString())
                .contains("input  image      float32 [N,3,28,28]")
                .contains("output logits     float32 [N,10]")
                .contains("output embedding  float32 [N,256]");
        assertThat(run.stderr()).contains("exported inception_resnet_fmnist", "opset 17");
        assertThat(Files.size(file)).isPositive();
        try (OrtSession session = ortEnvironment().createSession(file.toString())) {
            Map<String, String> metadata = session.getMetadata().getCustomMetadata();
            assertThat(metadata).containsEntry("model", "inception_resnet_fmnist");
            assertThat(metadata.get("weights_digest")).startsWith("sha256:");
            assertThat(session.getOutputNames()).containsExactly("logits", "embedding");
        }
    }

    /**
     * {@code --precision int8}: the graph written is the QDQ graph (int8 weights, a quarter of the
     * float file), says so and how it was calibrated in its metadata, and served from the file it
     * gives the float model's answers on the sample images.
     */
    @Test
    void exportsAnInt8GraphThatServesLikeTheFloatModel() throws Exception {
        Path fp32 = dir.resolve("fmnist.onnx");
        Path int8 = dir.resolve("fmnist-int8.onnx");
        Run exported = export("onnx", "inception_resnet_fmnist", fp32);
        assertThat(exported.exitCode()).as(exported.stderr()).isZero();
        Run quantized =
                export(
                        "onnx",
                        "inception_resnet_fmnist",
                        int8,
                        "--engine",
                        "onnxruntime",
                        "--precision",
                        "int8",
                        "--calibration-count",
                        "128",
                        "--calibration-method",
                        "percentile");
        assertThat(quantized.exitCode()).as(quantized.stderr()).isZero();
        assertThat(Files.size(int8)).isLessThan(Files.size(fp32) / 2);
        try (OrtSession session = ortEnvironment().createSession(int8.toString())) {
            assertThat(session.getMetadata().getCustomMetadata())
                    .containsEntry("precision", "int8")
                    .containsEntry("calibration", "percentile 99.99");
        }
        Path samples = Path.of("../samples/fashion-mnist/images");
        List<String> images = new ArrayList<>();
        try (var files = Files.list(samples)) {
            files.sorted().limit(40).forEach(f -> images.add(f.toString()));
        }
        Run a = score(images);
        Run b = score(images, "--engine", "onnxruntime", "--weights", int8.toString());
        assertThat(a.exitCode()).as(a.stderr()).isZero();
        assertThat(b.exitCode()).as(b.stderr()).isZero();
        List<String> labelsA =
                a.records().stream().map(r -> r.get("top_k").get(0).get("label").asText()).toList();
        List<String> labelsB =
                b.records().stream().map(r -> r.get("top_k").get(0).get("label").asText()).toList();
        assertThat(labelsB).hasSize(images.size());
        assertThat(b.records().get(0).get("device").asText()).isEqualTo("cpu");
        long same =
                java.util.stream.IntStream.range(0, labelsA.size())
                        .filter(i -> labelsA.get(i).equals(labelsB.get(i)))
                        .count();
        assertThat(same)
                .as("top-1 agreement of int8 with fp32 on %d images", images.size())
                .isGreaterThanOrEqualTo(images.size() - 1);
    }

    /**
     * {@code export --precision fp16}: a float16 graph (about half the float file), metadata
     * precision=fp16; served with {@code --weights} it says fp16 in every record and gives the
     * float model's top-1 on the sample images. bf16 is refused with the reason.
     */
    @Test
    void exportsAnFp16GraphThatServesAndSaysSo() throws Exception {
        Path fp32 = dir.resolve("fmnist.onnx");
        Path fp16 = dir.resolve("fmnist-fp16.onnx");
        Run exported =
                run(
                        "export",
                        "--format",
                        "onnx",
                        "--model",
                        "inception_resnet_fmnist",
                        "--output",
                        fp32.toString());
        assertThat(exported.exitCode()).as(exported.stderr()).isZero();
        Run half =
                run(
                        "export",
                        "--format",
                        "onnx",
                        "--model",
                        "inception_resnet_fmnist",
                        "--precision",
                        "fp16",
                        "--calibration-count",
                        "128",
                        "--output",
                        fp16.toString());
        assertThat(half.exitCode()).as(half.stderr()).isZero();
        assertThat(half.stdout())
                .contains("input  image      float32 [N,3,28,28]")
                .contains("output logits     float32 [N,10]");
        assertThat(Files.size(fp16)).isLessThan(Files.size(fp32) * 6 / 10);
        try (OrtSession session = ortEnvironment().createSession(fp16.toString())) {
            assertThat(session.getMetadata().getCustomMetadata())
                    .containsEntry("precision", "fp16")
                    .containsKey("fp16_reference");
        }
        List<String> images = new ArrayList<>();
        try (var files = Files.list(Path.of("../samples/fashion-mnist/images"))) {
            files.sorted().limit(20).forEach(f -> images.add(f.toString()));
        }
        List<String> fp32Args =
                new ArrayList<>(
                        List.of(
                                "score",
                                "--model",
                                "inception_resnet_fmnist",
                                "--engine",
                                "onnxruntime"));
        fp32Args.addAll(images);
        List<String> fp16Args = new ArrayList<>(fp32Args);
        fp16Args.addAll(5, List.of("--weights", fp16.toString()));
        Run a = run(fp32Args.toArray(String[]::new));
        Run b = run(fp16Args.toArray(String[]::new));
        assertThat(a.exitCode()).as(a.stderr()).isZero();
        assertThat(b.exitCode()).as(b.stderr()).isZero();
        assertThat(a.records())
                .allSatisfy(r -> assertThat(r.get("precision").asText()).isEqualTo("fp32"));
        assertThat(b.records())
                .hasSize(images.size())
                .allSatisfy(
                        r -> {
                            assertThat(r.get("precision").asText()).isEqualTo("fp16");
                            assertThat(r.get("engine").asText()).isEqualTo("onnxruntime");
                        });
        assertThat(b.stderr()).contains("fp16 is meant for GPU execution providers");
        List<String> labelsA =
                a.records().stream().map(r -> r.get("top_k").get(0).get("label").asText()).toList();
        List<String> labelsB =
                b.records().stream().map(r -> r.get("top_k").get(0).get("label").asText()).toList();
        assertThat(labelsB).isEqualTo(labelsA);

        Run bf16 =
                run(
                        "score",
                        "--model",
                        "inception_resnet_fmnist",
                        "--precision",
                        "bf16",
                        images.get(0));
        assertThat(bf16.exitCode()).isEqualTo(3);
        assertThat(bf16.stderr()).contains("--precision bf16 is not supported");
    }

    @Test
    void int8OnAnEngineWithoutQdqKernelsIsRefused() throws Exception {
        Run run =
                export(
                        "onnx",
                        "inception_resnet_fmnist",
                        dir.resolve("m.onnx"),
                        "--engine",
                        "mxnet",
                        "--precision",
                        "int8");
        assertThat(run.exitCode()).isEqualTo(3);
        assertThat(run.stderr()).contains("--precision int8 runs on ONNX Runtime");
        assertThat(dir.resolve("m.onnx")).doesNotExist();
    }

    @Test
    void int8WithoutCalibrationImagesForAModelWithoutADefaultSetIsRefused() throws Exception {
        Run run =
                export(
                        "onnx",
                        "googlenet",
                        dir.resolve("g.onnx"),
                        "--engine",
                        "onnxruntime",
                        "--precision",
                        "int8");
        assertThat(run.exitCode()).isEqualTo(3);
        assertThat(run.stderr()).contains("--precision int8 needs --calibration DIR");
    }

    /**
     * A GPU the engine cannot see (this CPU build of ONNX Runtime sees none) is refused before
     * anything loads, saying which build and host libraries GPU execution needs.
     */
    @Test
    void aGpuTheCpuBuildCannotSeeIsRefusedWithWhatItNeeds() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(
                ai.djl.engine.Engine.getEngine("OnnxRuntime").getGpuCount() == 0,
                "this machine's ONNX Runtime sees a GPU");
        Run run =
                export(
                        "onnx",
                        "inception_resnet_fmnist",
                        dir.resolve("g.onnx"),
                        "--engine",
                        "onnxruntime",
                        "--device",
                        "gpu");
        assertThat(run.exitCode()).isEqualTo(3);
        assertThat(run.stderr())
                .contains("OnnxRuntime sees 0 GPU(s) here, so it cannot run on gpu(0)")
                .contains("mvn -Pgpu package")
                .contains("CUDA 12 and cuDNN 9");
    }

    /** {@code export --format FORMAT --model MODEL [OPTIONS...] --output OUTPUT}, in-process. */
    private static Run export(String format, String model, Path output, String... options)
            throws Exception {
        List<String> args =
                new ArrayList<>(List.of("export", "--format", format, "--model", model));
        args.addAll(List.of(options));
        args.addAll(List.of("--output", output.toString()));
        return run(args.toArray(String[]::new));
    }

    /** {@code score --model inception_resnet_fmnist [OPTIONS...] IMAGES...}, in-process. */
    private static Run score(List<String> images, String... options) throws Exception {
        List<String> args = new ArrayList<>(List.of("score", "--model", "inception_resnet_fmnist"));
        args.addAll(List.of(options));
        args.addAll(images);
        return run(args.toArray(String[]::new));
    }

    /** ONNX Runtime's environment, created by DJL's engine first (DJL cannot start after). */
    static OrtEnvironment ortEnvironment() {
        ai.djl.engine.Engine.getEngine("OnnxRuntime");
        return OrtEnvironment.getEnvironment();
    }

    @Test
    void anUnknownFormatIsAUsageError() throws Exception {
        Run run = export("tflite", "inception_resnet_fmnist", dir.resolve("m.tflite"));
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.stderr()).contains("--format must be onnx, got 'tflite'");
        assertThat(dir.resolve("m.tflite")).doesNotExist();
    }

    @Test
    void aModelThatCannotBeLoadedExitsWith3() throws Exception {
        Path bad = Files.writeString(dir.resolve("bad.safetensors"), "nope");
        Run run =
                export(
                        "onnx",
                        "inception_resnet_fmnist",
                        dir.resolve("m.onnx"),
                        "--weights",
                        bad.toString());
        assertThat(run.exitCode()).isEqualTo(3);
        assertThat(run.stderr()).contains("cannot load model inception_resnet_fmnist");
        assertThat(dir.resolve("m.onnx")).doesNotExist();
    }
}
