package io.inceptionpipeline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.inceptionpipeline.models.inference.ScoringModel;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code score} command, run in-process as {@code Main.run(...)}. */
class ScoreCommandTest {

    @TempDir static Path images;

    private static final ObjectMapper JSON = new ObjectMapper();

    /** What a run printed and returned. */
    record Run(int exitCode, List<JsonNode> records, String stdout, String stderr) {}

    static Run run(String... args) throws Exception {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        int code;
        try {
            System.setOut(new PrintStream(stdout, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(stderr, true, StandardCharsets.UTF_8));
            code = Main.run(args);
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
        String text = stdout.toString(StandardCharsets.UTF_8);
        List<JsonNode> records = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.startsWith("{") && !Arrays.asList(args).contains("--help")) {
                records.add(JSON.readTree(line));
            }
        }
        return new Run(code, records, text, stderr.toString(StandardCharsets.UTF_8));
    }

    static void writeImage(Path file, int width, int height, String format) throws Exception {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                image.setRGB(x, y, (x * 255 / width) << 16 | (y * 255 / height) << 8 | 128);
            }
        }
        assertThat(ImageIO.write(image, format, file.toFile())).isTrue();
    }

    @BeforeAll
    static void createImages() throws Exception {
        writeImage(images.resolve("a-landscape.jpg"), 500, 375, "jpg");
        writeImage(images.resolve("b-exact.png"), 299, 299, "png");
        Files.writeString(images.resolve("c-text.jpg"), "this is not a JPEG");
        byte[] jpeg = Files.readAllBytes(images.resolve("a-landscape.jpg"));
        Files.write(images.resolve("d-truncated.jpg"), Arrays.copyOf(jpeg, jpeg.length / 2));
        Files.write(images.resolve("e-empty.png"), new byte[0]);
        Files.writeString(images.resolve(".hidden.png"), "skipped");
        Files.createDirectories(images.resolve("f-nested"));
        writeImage(images.resolve("f-nested/portrait.bmp"), 120, 200, "bmp");
    }

    @Test
    void writesOneLinePerImageInOrderErrorsIncluded() throws Exception {
        Path missing = images.resolve("missing.jpg");
        Run run =
                run(
                        "score",
                        "--top-k",
                        "3",
                        "--batch-size",
                        "4",
                        "--embeddings",
                        images.toString(),
                        missing.toString());

        assertThat(run.exitCode()).as(run.stderr()).isEqualTo(1);
        assertThat(run.records())
                .extracting(
                        r ->
                                Path.of(java.net.URI.create(r.get("uri").asText()))
                                        .getFileName()
                                        .toString())
                .containsExactly(
                        "a-landscape.jpg",
                        "b-exact.png",
                        "c-text.jpg",
                        "d-truncated.jpg",
                        "e-empty.png",
                        "portrait.bmp",
                        "missing.jpg");
        assertThat(run.records())
                .extracting(r -> r.has("error"))
                .containsExactly(false, false, true, true, true, false, true);
        assertThat(run.records().get(2).get("error").asText()).contains("Text, not an image");
        assertThat(run.records().get(3).get("error").asText()).contains("truncated");
        assertThat(run.records().get(4).get("error").asText()).contains("zero bytes");
        assertThat(run.records().get(6).get("error").asText()).contains("No such file");

        for (int i : new int[] {0, 1, 5}) {
            JsonNode record = run.records().get(i);
            assertThat(record.get("model").asText()).isEqualTo("inception_resnet_v2");
            assertThat(record.get("weights").asText()).isEqualTo("random");
            assertThat(record.get("engine").asText()).isEqualTo("onnxruntime"); // auto's choice
            assertThat(record.get("precision").asText()).isEqualTo("fp32");
            assertThat(record.get("device").asText()).isEqualTo("cpu");
            assertThat(record.get("top_k")).hasSize(3);
            JsonNode best = record.get("top_k").get(0);
            assertThat(best.get("score").asDouble())
                    .isBetween(0.0, 1.0)
                    .isGreaterThanOrEqualTo(record.get("top_k").get(1).get("score").asDouble());
            assertThat(best.get("label").asText()).isNotBlank();
            assertThat(record.get("embedding")).hasSize(1536);
        }
        assertThat(run.stderr()).contains("RANDOM weights").contains("4 of 7 images failed");
    }

    @Test
    void batchSizeDoesNotChangeTheAnswer() throws Exception {
        Run one =
                run(
                        "score",
                        "--batch-size",
                        "1",
                        images.resolve("a-landscape.jpg").toString(),
                        images.resolve("f-nested").toString());
        Run two =
                run(
                        "score",
                        "--batch-size",
                        "2",
                        images.resolve("a-landscape.jpg").toString(),
                        images.resolve("f-nested").toString());
        assertThat(one.exitCode()).isZero();
        assertThat(two.exitCode()).isZero();
        for (int i = 0; i < 2; i++) {
            JsonNode a = one.records().get(i).get("top_k");
            JsonNode b = two.records().get(i).get("top_k");
            for (int k = 0; k < 5; k++) {
                assertThat(a.get(k).get("index")).isEqualTo(b.get(k).get("index"));
                assertThat(a.get(k).get("score").asDouble())
                        .isCloseTo(
                                b.get(k).get("score").asDouble(),
                                org.assertj.core.data.Offset.offset(1e-5));
            }
        }
    }

    @Test
    void preprocessNoneScoresOnlyImagesAtInputSize() throws Exception {
        Run run =
                run(
                        "score",
                        "--preprocess",
                        "none",
                        images.resolve("b-exact.png").toString(),
                        images.resolve("a-landscape.jpg").toString());
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.records().get(0).has("top_k")).isTrue();
        assertThat(run.records().get(1).get("error").asText())
                .contains("Crop mode 'none' needs a 299x299 image, got 500x375");
    }

    @Test
    void tenCropsAverageTheCropsScoredOneByOne() throws Exception {
        Path sample = Path.of("../samples/fashion-mnist/images").toAbsolutePath().normalize();
        Path first;
        try (var files = java.nio.file.Files.list(sample)) {
            first = files.filter(f -> f.toString().endsWith(".png")).sorted().findFirst().get();
        }
        Run ten =
                run(
                        "score",
                        "--model",
                        "inception_resnet_fmnist",
                        "--crop-mode",
                        "ten",
                        "--top-k",
                        "3",
                        "--batch-size",
                        "4",
                        first.toString());
        assertThat(ten.exitCode()).isZero();
        JsonNode record = ten.records().get(0);
        assertThat(record.get("crop_mode").asText()).isEqualTo("ten");
        assertThat(record.get("crop_count").asInt()).isEqualTo(10);
        assertThat(record.get("top_k")).hasSize(3);
        // by hand: each of the ten crops scored alone, probabilities averaged
        var spec = io.inceptionpipeline.models.spec.ModelRegistry.get("inception_resnet_fmnist");
        try (var model =
                io.inceptionpipeline.models.inference.ScoringModel.load(
                        spec,
                        io.inceptionpipeline.models.inference.WeightsSource.orDefault(
                                spec, null, 0),
                        ai.djl.Device.cpu())) {
            var image =
                    new io.inceptionpipeline.operators.decode.ImageDecoder()
                            .decode(java.nio.file.Files.readAllBytes(first));
            double[] mean = new double[10];
            for (var crop :
                    model.preprocessor()
                            .crops(image, io.inceptionpipeline.models.image.CropMode.TEN)) {
                for (var k : model.score(List.of(crop), 10, false).get(0).topK()) {
                    mean[k.index()] += k.score() / 10.0;
                }
            }
            JsonNode best = record.get("top_k").get(0);
            for (int c = 0; c < 10; c++) {
                assertThat(mean[c]).isLessThanOrEqualTo(best.get("score").asDouble() + 1e-5);
            }
            assertThat(best.get("score").asDouble())
                    .isCloseTo(
                            mean[best.get("index").asInt()],
                            org.assertj.core.data.Offset.offset(1e-5));
        }
    }

    @Test
    void rejectsBadOptionsWithUsageErrors() throws Exception {
        Run topK = run("score", "--top-k", "0", images.toString());
        assertThat(topK.exitCode()).isEqualTo(2);
        assertThat(topK.stderr()).contains("--top-k must be at least 1");

        Run model = run("score", "--model", "resnet50", images.toString());
        assertThat(model.exitCode()).isEqualTo(2);
        assertThat(model.stderr())
                .contains("Unknown model 'resnet50'")
                .contains("inception_resnet_v2");

        Run crop = run("score", "--preprocess", "five", images.toString());
        assertThat(crop.exitCode()).isEqualTo(2);
        assertThat(crop.stderr()).contains("expected center, none, ten or multiscale");

        Run icc = run("score", "--icc", "srgb", images.toString());
        assertThat(icc.exitCode()).isEqualTo(2);
        assertThat(icc.stderr()).contains("Unknown ICC mode 'srgb': expected ignore or convert");

        Run nothing = run("score");
        assertThat(nothing.exitCode()).isEqualTo(2);
        assertThat(nothing.stderr()).contains("Missing required parameter: 'IMAGE_OR_DIRECTORY'");
    }

    @Test
    void aBrokenWeightsFileIsAModelErrorNotACrash() throws Exception {
        Path bad =
                Files.writeString(
                        images.getParent().resolve("bad-" + System.nanoTime() + ".safetensors"),
                        "nope");
        Run run =
                run("score", "--weights", bad.toString(), images.resolve("b-exact.png").toString());
        assertThat(run.exitCode()).isEqualTo(3);
        assertThat(run.stderr())
                .contains("cannot load model inception_resnet_v2")
                .contains("Malformed safetensors file");
        assertThat(run.records()).isEmpty();
    }

    @Test
    void anEngineThatComputesWrongAnswersIsRefusedWithExitCode3() throws Exception {
        String png = images.resolve("b-exact.png").toString();
        System.setProperty(ScoringModel.FAULT_INJECTION, "corrupt-weight");
        try {
            for (String engine : List.of("mxnet", "pytorch", "onnxruntime")) {
                Run run =
                        run("score", "--model", "inception_resnet_fmnist", "--engine", engine, png);
                assertThat(run.exitCode()).as(run.stderr()).isEqualTo(3);
                assertThat(run.stderr())
                        .contains("cannot load model inception_resnet_fmnist")
                        .contains("Known-answer check failed")
                        .contains("device cpu()")
                        .contains("worst error")
                        .contains("CPU: ")
                        .contains("What to do");
                assertThat(run.records()).isEmpty();
            }
            Run evaluate = run("evaluate", "--model", "inception_resnet_fmnist", "--limit", "10");
            assertThat(evaluate.exitCode()).as(evaluate.stderr()).isEqualTo(3);
            assertThat(evaluate.stderr()).contains("Known-answer check failed");
        } finally {
            System.clearProperty(ScoringModel.FAULT_INJECTION);
        }
        // Nothing is left broken: the same command scores.
        Run again = run("score", "--model", "inception_resnet_fmnist", "--engine", "pytorch", png);
        assertThat(again.exitCode()).as(again.stderr()).isZero();
    }

    @Test
    void onnxRuntimeScoresLikeMxnetAndServesTheExportedFile() throws Exception {
        Path samples = Path.of("..", "samples", "fashion-mnist", "images");
        List<String> pngs = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            pngs.add(samples.resolve(String.format("test-%05d.png", i)).toString());
        }
        List<String> common = List.of("score", "--model", "inception_resnet_fmnist");
        Run mxnet = run(args(common, List.of("--engine", "mxnet"), pngs));
        Run ort = run(args(common, List.of("--engine", "onnxruntime", "--threads", "1"), pngs));
        assertThat(ort.exitCode()).as(ort.stderr()).isZero();
        assertThat(ort.records()).hasSize(8);
        assertThat(topLabels(ort)).isEqualTo(topLabels(mxnet));
        assertThat(mxnet.records().get(0).get("engine").asText()).isEqualTo("mxnet");
        assertThat(ort.records().get(0).get("engine").asText()).isEqualTo("onnxruntime");

        Path onnx = images.getParent().resolve("fmnist-" + System.nanoTime() + ".onnx");
        Run export =
                run(
                        "export",
                        "--format",
                        "onnx",
                        "--model",
                        "inception_resnet_fmnist",
                        "--output",
                        onnx.toString());
        assertThat(export.exitCode()).as(export.stderr()).isZero();
        Run fromFile =
                run(
                        args(
                                common,
                                List.of("--engine", "onnxruntime", "--weights", onnx.toString()),
                                pngs));
        assertThat(fromFile.exitCode()).as(fromFile.stderr()).isZero();
        assertThat(topLabels(fromFile)).isEqualTo(topLabels(mxnet));

        Run other =
                run(
                        "score",
                        "--model",
                        "googlenet",
                        "--engine",
                        "onnxruntime",
                        "--weights",
                        onnx.toString(),
                        pngs.get(0));
        assertThat(other.exitCode()).as(other.stderr()).isEqualTo(3);
        assertThat(other.stderr())
                .contains("cannot load model googlenet")
                .contains("holds the model inception_resnet_fmnist, not googlenet");
        assertThat(other.records()).isEmpty();
    }

    private static String[] args(List<String> a, List<String> b, List<String> c) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        all.addAll(c);
        return all.toArray(String[]::new);
    }

    /** Each record's top-5 labels, in order. */
    private static List<List<String>> topLabels(Run run) {
        List<List<String>> labels = new ArrayList<>();
        for (JsonNode record : run.records()) {
            List<String> top = new ArrayList<>();
            record.get("top_k").forEach(k -> top.add(k.get("label").asText()));
            labels.add(top);
        }
        return labels;
    }

    @Test
    void engineAutoScoresOnTheFastestVerifiedEngineAndSaysWhich() throws Exception {
        String png = images.resolve("b-exact.png").toString();
        Run auto = run("score", "--model", "inception_resnet_fmnist", "--engine", "auto", png);
        Run mxnet = run("score", "--model", "inception_resnet_fmnist", "--engine", "mxnet", png);
        assertThat(auto.exitCode()).as(auto.stderr()).isZero();
        assertThat(auto.stderr()).contains("--engine auto chose OnnxRuntime");
        assertThat(auto.records().get(0).get("top_k").get(0).get("index").asInt())
                .isEqualTo(mxnet.records().get(0).get("top_k").get(0).get("index").asInt());
    }

    @Test
    void evaluateReadsDebiansFashionMnistByDefault() throws Exception {
        Run run = run("evaluate", "--model", "inception_resnet_fmnist", "--limit", "50");
        assertThat(run.exitCode()).as(run.stderr()).isZero();
        assertThat(run.stdout()).contains("Fashion-MNIST test");
    }

    @Test
    void listModelsMeasuresEveryNetworkOfTheFamily() throws Exception {
        Run run = run("score", "--list-models");
        assertThat(run.exitCode()).isZero();
        // parameters of each reference implementation, as measured from the Java network
        String[][] expected = {
            {"googlenet", "6,624,904"},
            {"bninception", "11,295,240"},
            {"inception_v3", "23,834,568"},
            {"inception_v4", "42,679,816"},
            {"inception_resnet_v1", "23,482,624"},
            {"inception_resnet_v2", "55,843,464"},
            {"legacy_xception", "22,855,952"},
            {"inception_resnet_fmnist", "954,274"}
        };
        List<String> lines = Arrays.asList(run.stdout().split("\n"));
        for (String[] model : expected) {
            assertThat(lines)
                    .as(model[0])
                    .anySatisfy(
                            line -> assertThat(line.split(" +")).startsWith(model[0], model[1]));
        }
        assertThat(run.records()).isEmpty();
    }

    @Test
    void anEmbeddingOnlyModelWritesUnitEmbeddingsAndNoClasses() throws Exception {
        Run run =
                run(
                        "score",
                        "--model",
                        "inception_resnet_v1",
                        "--embeddings",
                        images.resolve("a-landscape.jpg").toString());
        assertThat(run.exitCode()).isZero();
        JsonNode record = run.records().get(0);
        assertThat(record.get("top_k")).isEmpty();
        JsonNode embedding = record.get("embedding");
        assertThat(embedding).hasSize(512);
        double squares = 0;
        for (JsonNode v : embedding) {
            squares += v.asDouble() * v.asDouble();
        }
        assertThat(Math.sqrt(squares)).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-4));
    }

    @Test
    void helpExplainsEveryOption() throws Exception {
        Run run = run("score", "--help");
        assertThat(run.exitCode()).isZero();
        assertThat(run.stdout())
                .contains(
                        "--model",
                        "--weights",
                        "--preprocess",
                        "--top-k",
                        "--embeddings",
                        "--batch-size",
                        "--threads",
                        "--device",
                        "--max-pixels",
                        "--max-file-bytes",
                        "--icc",
                        "--list-models",
                        "IMAGE_OR_DIRECTORY",
                        "Exit codes",
                        "random");
    }

    /**
     * samples/images/rocket.jpg embeds an Adobe RGB profile: by default (as with {@code --icc
     * ignore}) it is scored from the stored samples as Pillow reads them, with {@code --icc
     * convert} from colour-converted ones.
     */
    @Test
    void iccDecidesWhetherAnEmbeddedProfileIsApplied() throws Exception {
        String rocket = Path.of("../samples/images/rocket.jpg").toString();
        String[] common = {"score", "--model", "inception_resnet_fmnist", "--embeddings"};
        JsonNode byDefault = embeddingOf(run(concat(common, rocket)));
        JsonNode ignore = embeddingOf(run(concat(common, "--icc", "ignore", rocket)));
        JsonNode convert = embeddingOf(run(concat(common, "--icc", "convert", rocket)));
        assertThat(byDefault).isEqualTo(ignore);
        assertThat(convert).isNotEqualTo(ignore);
    }

    @Test
    void everyCommandThatDecodesImagesHasTheIccOption() throws Exception {
        for (String command : new String[] {"score", "run", "local", "archive", "evaluate"}) {
            assertThat(run(command, "--help").stdout()).as(command).contains("--icc");
        }
    }

    private static JsonNode embeddingOf(Run run) {
        assertThat(run.exitCode()).as(run.stderr()).isZero();
        return run.records().get(0).get("embedding");
    }

    private static String[] concat(String[] head, String... tail) {
        String[] all = Arrays.copyOf(head, head.length + tail.length);
        System.arraycopy(tail, 0, all, head.length, tail.length);
        return all;
    }
}
