package io.inceptionpipeline.pipeline.index;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.inceptionpipeline.cli.Main;
import io.inceptionpipeline.models.spec.ModelRegistry;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code archive --index-dir} then {@code search}, as a user runs them: 60 Fashion-MNIST PNGs
 * indexed by two inference subtasks with the shipped model; a query image finds itself first;
 * another model or other weights are refused.
 */
class SearchITCase {

    static final Path SAMPLES = Path.of("../samples/fashion-mnist/images");
    static final int IMAGES = 60;

    @TempDir static Path work;
    static Path index;
    static List<Path> images;

    /** Exit code, stdout and stderr of one command. */
    record Run(int code, String out, String err) {}

    static Run run(String... args) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
        int code;
        try {
            code = Main.run(args);
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
        err.print(e.toString(StandardCharsets.UTF_8));
        return new Run(
                code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
    }

    static String id(Path image) {
        return "fm/" + image.getFileName();
    }

    @BeforeAll
    static void indexSamples() throws Exception {
        try (Stream<Path> files = Files.list(SAMPLES)) {
            images = files.sorted().limit(IMAGES).map(p -> p.toAbsolutePath().normalize()).toList();
        }
        List<String> lines = new ArrayList<>();
        for (Path image : images) {
            lines.add(id(image) + "," + image.toUri());
        }
        Path manifest = Files.write(work.resolve("manifest.csv"), lines);
        index = work.resolve("index");
        Run archive =
                run(
                        "archive",
                        "--input",
                        manifest.toString(),
                        "--output-dir",
                        work.resolve("out").toString(),
                        "--index-dir",
                        index.toString(),
                        "--model",
                        "inception_resnet_fmnist",
                        "--inference-parallelism",
                        "2",
                        "--allowed-root",
                        SAMPLES.toAbsolutePath().normalize().toString());
        assertThat(archive.code()).isZero();
    }

    private static JsonNode firstLine(Run run) throws Exception {
        return new ObjectMapper().readTree(run.out().lines().findFirst().orElseThrow());
    }

    @Test
    void theArchiveRunCommittedOneDocumentPerImageInTwoParts() throws Exception {
        try (EmbeddingIndexReader reader = EmbeddingIndexReader.open(index)) {
            assertThat(reader.size()).isEqualTo(IMAGES);
            assertThat(reader.metadata().model()).isEqualTo("inception_resnet_fmnist");
            assertThat(reader.metadata().weightsDigest()).startsWith("sha256:");
            assertThat(reader.metadata().dims())
                    .isEqualTo(ModelRegistry.get("inception_resnet_fmnist").embeddingSize());
        }
        assertThat(index.resolve("part-0")).isDirectory();
        assertThat(index.resolve("part-1")).isDirectory();
    }

    @Test
    void aKnownImageFindsItselfFirstByHnswAndByExactScan() throws Exception {
        Path known = images.get(17);
        for (String mode : List.of("--candidates=100", "--exact")) {
            Run search =
                    run(
                            "search",
                            "--index",
                            index.toString(),
                            "--k",
                            "5",
                            mode,
                            "--image",
                            known.toUri().toString());
            assertThat(search.code()).isZero();
            JsonNode answer = firstLine(search);
            assertThat(answer.get("query").asText()).isEqualTo(known.toUri().toString());
            assertThat(answer.get("neighbors")).hasSize(5);
            JsonNode first = answer.get("neighbors").get(0);
            assertThat(first.get("id").asText()).isEqualTo(id(known));
            assertThat(first.get("uri").asText()).isEqualTo(known.toUri().toString());
            assertThat(first.get("score").asDouble()).isGreaterThan(0.9999);
            assertThat(answer.get("neighbors").get(1).get("score").asDouble()).isLessThan(0.9999);
        }
    }

    @Test
    void anIdQueryUsesTheStoredVector() throws Exception {
        Run search = run("search", "--index", index.toString(), "--id", id(images.get(3)));
        assertThat(search.code()).isZero();
        JsonNode first = firstLine(search).get("neighbors").get(0);
        assertThat(first.get("id").asText()).isEqualTo(id(images.get(3)));
        assertThat(first.get("label").asText()).isNotBlank();
    }

    @Test
    void anotherModelIsRefused() {
        Run search =
                run(
                        "search",
                        "--index",
                        index.toString(),
                        "--model",
                        "googlenet",
                        "--image",
                        images.get(0).toString());
        assertThat(search.code()).isEqualTo(3);
        assertThat(search.err())
                .contains("holds embeddings of model inception_resnet_fmnist, not googlenet");
        assertThat(search.out()).isEmpty();
    }

    @Test
    void otherWeightsAreRefused() throws Exception {
        Path other = work.resolve("other-weights-index");
        int dims = ModelRegistry.get("inception_resnet_fmnist").embeddingSize();
        try (SubtaskIndex part = SubtaskIndex.open(SubtaskIndex.partDirectory(other, 0))) {
            part.upsert(TestPredictions.of("x", 1, dims, "sha256:0123abcd"));
            part.commitAll(1);
        }
        Run search =
                run("search", "--index", other.toString(), "--image", images.get(0).toString());
        assertThat(search.code()).isEqualTo(3);
        assertThat(search.err())
                .contains("was built with inception_resnet_fmnist weights sha256:0123abcd")
                .contains("give --weights with the file the index was built with");
    }
}
