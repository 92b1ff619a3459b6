package io.inceptionpipeline.it;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.initializer.Initializer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.inceptionpipeline.models.irv2.InceptionResNetV2;
import io.inceptionpipeline.models.weights.SafetensorsWriter;
import io.inceptionpipeline.models.weights.SeededWeights;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shaded jar as a user runs it: {@code java -jar pipeline/target/inception-pipeline.jar ...} in
 * a separate JVM, on the bundled samples plus broken files, with timm-named weights.
 */
class ScoreJarTest {

    private static final Path JAR = JarProcess.JAR;
    private static final Path SAMPLES =
            Path.of(System.getProperty("samples.dir", "../samples/images"));
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir static Path work;

    record Result(int exitCode, List<JsonNode> records, String stderr) {}

    static Result jar(String... args) throws Exception {
        JarProcess.Output run = JarProcess.run(work, List.of("-Xmx3g"), Map.of(), args);
        List<JsonNode> records = new ArrayList<>();
        for (String line : run.stdout().split("\n")) {
            if (line.startsWith("{")) {
                records.add(JSON.readTree(line));
            }
        }
        return new Result(run.exitCode(), records, run.stderr());
    }

    @BeforeAll
    static void checkJar() {
        assertThat(JAR).as("built by `mvn package` before this module's tests").exists();
        assertThat(SAMPLES).isDirectory();
    }

    @Test
    void scoresTheSamplesAndReportsBrokenFilesWithoutStopping() throws Exception {
        Path broken = Files.createDirectories(work.resolve("broken"));
        Files.writeString(broken.resolve("page.jpg"), "<html>not found</html>");
        Files.write(broken.resolve("empty.png"), new byte[0]);
        byte[] rocket = Files.readAllBytes(SAMPLES.resolve("rocket.jpg"));
        Files.write(
                broken.resolve("rocket-truncated.jpg"), Arrays.copyOf(rocket, rocket.length / 2));

        Result result =
                jar(
                        "score",
                        "--top-k",
                        "5",
                        "--batch-size",
                        "4",
                        SAMPLES.toString(),
                        broken.toString());

        long samples;
        try (var files = Files.list(SAMPLES)) {
            samples = files.count();
        }
        assertThat(samples).isGreaterThanOrEqualTo(5);
        assertThat(result.records()).hasSize((int) samples + 3);
        assertThat(result.exitCode()).as(result.stderr()).isEqualTo(1);
        List<JsonNode> scored = result.records().stream().filter(r -> r.has("top_k")).toList();
        List<JsonNode> failed = result.records().stream().filter(r -> r.has("error")).toList();
        assertThat(scored).hasSize((int) samples);
        assertThat(failed)
                .extracting(r -> r.get("uri").asText())
                .allMatch(uri -> uri.contains("/broken/"))
                .hasSize(3);
        assertThat(scored)
                .allSatisfy(
                        r -> {
                            assertThat(r.get("weights").asText()).isEqualTo("random");
                            assertThat(r.get("top_k")).hasSize(5);
                        });
        assertThat(result.stderr()).contains("RANDOM weights");
    }

    @Test
    void convertedWeightsScoreLikeTheSafetensorsTheyCameFrom() throws Exception {
        Path safetensors = work.resolve("inception_resnet_v2-seeded.safetensors");
        writeSeededTimmCheckpoint(safetensors, 7);
        Path image = SAMPLES.resolve("chelsea.png");

        Result direct =
                jar("score", "--weights", safetensors.toString(), "--embeddings", image.toString());
        assertThat(direct.exitCode()).as(direct.stderr()).isZero();

        Result convert =
                jar(
                        "convert",
                        "--weights",
                        safetensors.toString(),
                        "--output",
                        work.resolve("djl").toString());
        assertThat(convert.exitCode()).as(convert.stderr()).isZero();
        Path params = work.resolve("djl/inception_resnet_v2-0000.params");
        assertThat(params).exists();

        Result converted =
                jar("score", "--weights", params.toString(), "--embeddings", image.toString());
        assertThat(converted.exitCode()).as(converted.stderr()).isZero();

        JsonNode a = direct.records().get(0);
        JsonNode b = converted.records().get(0);
        assertThat(a.get("weights").asText())
                .startsWith("sha256:")
                .isEqualTo(b.get("weights").asText());
        assertThat(b.get("top_k")).isEqualTo(a.get("top_k"));
        assertThat(b.get("embedding")).isEqualTo(a.get("embedding"));
        assertThat(direct.stderr()).doesNotContain("RANDOM");
    }

    @Test
    void aCheckpointOfAnotherModelIsRefusedWithTheTensorsThatDiffer() throws Exception {
        Path wrong = work.resolve("resnet.safetensors");
        new SafetensorsWriter()
                .add("conv1.weight", new long[] {64, 3, 7, 7}, new float[64 * 3 * 49])
                .add("fc.weight", new long[] {1000, 2048}, new float[1000 * 2048])
                .write(wrong);
        Result result =
                jar(
                        "score",
                        "--weights",
                        wrong.toString(),
                        SAMPLES.resolve("chelsea.png").toString());
        assertThat(result.exitCode()).isEqualTo(3);
        assertThat(result.stderr())
                .contains("do not fit the model")
                .contains("missing: conv2d_1a.conv.weight")
                .contains("2 unexpected: conv1.weight F32[64, 3, 7, 7], fc.weight F32[1000, 2048]");
        assertThat(result.records()).isEmpty();
    }

    /** A timm-named IRv2 state dict with seeded values, as a user's downloaded checkpoint. */
    private static void writeSeededTimmCheckpoint(Path file, long seed) throws IOException {
        try (NDManager manager = NDManager.newBaseManager("MXNet")) {
            InceptionResNetV2 net = InceptionResNetV2.builder().build();
            net.setInitializer(Initializer.ZEROS, p -> true);
            net.initialize(manager, DataType.FLOAT32, new Shape(1, 3, 299, 299));
            SeededWeights.writeSafetensors(net, seed, file);
        }
    }
}
