package io.inceptionpipeline.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.inceptionpipeline.cli.Main;
import io.inceptionpipeline.schemas.AvroCodec;
import io.inceptionpipeline.schemas.ErrorCode;
import io.inceptionpipeline.schemas.Prediction;
import io.inceptionpipeline.schemas.ScoringFailure;
import io.inceptionpipeline.schemas.ScoringRequest;
import io.inceptionpipeline.schemas.Stage;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import javax.imageio.ImageIO;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole job on Flink's MiniCluster against a real Kafka broker (Kafka's own KRaft server): good
 * images come back as predictions, each bad record as exactly one dead letter with its stage and
 * code, and predictions equal what {@code score} says about the same files.
 */
class ScoringJobITCase {

    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(4)
                            .build());

    @TempDir static Path work;
    static EmbeddedKafka kafka;
    static Path images;

    @BeforeAll
    static void startKafka() throws Exception {
        kafka = EmbeddedKafka.start(work.resolve("kafka"));
        images = Files.createDirectories(work.resolve("images"));
    }

    @AfterAll
    static void stopKafka() {
        if (kafka != null) {
            kafka.close();
        }
    }

    static Path jpeg(String name, int width, int height, long seed) throws Exception {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Random random = new Random(seed);
        int base = random.nextInt(0xffffff);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                image.setRGB(x, y, base + x * 3 + y * 7 * 256 + random.nextInt(32));
            }
        }
        Path file = images.resolve(name);
        ImageIO.write(image, "jpg", file.toFile());
        return file;
    }

    @Test
    void scoresGoodImagesAndDeadLettersEveryBadRecord() throws Exception {
        String in = "it-requests";
        String out = "it-predictions";
        String dead = "it-dead-letters";
        kafka.createTopics(2, in, out, dead);

        List<byte[][]> messages = new ArrayList<>();
        List<Path> good = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            Path file = jpeg("good-" + i + ".jpg", 500, 375, i);
            good.add(file);
            ScoringRequest request =
                    ScoringRequest.newBuilder()
                            .setRequestId("good-" + i)
                            .setUri(file.toUri().toString())
                            .setAttributes(Map.of("n", Integer.toString(i)))
                            .build();
            messages.add(new byte[][] {bytes("good-" + i), AvroCodec.encode(request)});
        }
        // A plain-text request: id from the key.
        Path textFile = jpeg("text.jpg", 320, 240, 99);
        good.add(textFile);
        messages.add(new byte[][] {bytes("text-1"), bytes(textFile.toUri().toString())});
        // An inline image.
        byte[] inline = Files.readAllBytes(jpeg("inline.jpg", 300, 300, 7));
        messages.add(
                new byte[][] {
                    bytes("inline-1"),
                    AvroCodec.encode(
                            ScoringRequest.newBuilder()
                                    .setRequestId("inline-1")
                                    .setUri("")
                                    .setImage(java.nio.ByteBuffer.wrap(inline))
                                    .build())
                });

        Path notImage = Files.writeString(images.resolve("notes.jpg"), "not a JPEG at all");
        byte[] real = Files.readAllBytes(good.get(0));
        Path truncated =
                Files.write(
                        images.resolve("truncated.jpg"), Arrays.copyOf(real, real.length * 2 / 3));
        Map<String, ErrorCode> expectedCodes = new HashMap<>();
        Map<String, Stage> expectedStages = new HashMap<>();
        badRequest(
                messages,
                expectedCodes,
                expectedStages,
                "bad-scheme",
                "ftp://example.com/a.jpg",
                Stage.FETCH,
                ErrorCode.UNSUPPORTED_SCHEME);
        badRequest(
                messages,
                expectedCodes,
                expectedStages,
                "bad-missing",
                images.resolve("missing.jpg").toUri().toString(),
                Stage.FETCH,
                ErrorCode.NOT_FOUND);
        badRequest(
                messages,
                expectedCodes,
                expectedStages,
                "bad-outside",
                "file:///etc/hostname",
                Stage.FETCH,
                ErrorCode.PATH_NOT_ALLOWED);
        badRequest(
                messages,
                expectedCodes,
                expectedStages,
                "bad-traversal",
                images.toUri() + "../../../etc/passwd",
                Stage.FETCH,
                ErrorCode.PATH_NOT_ALLOWED);
        badRequest(
                messages,
                expectedCodes,
                expectedStages,
                "bad-not-image",
                notImage.toUri().toString(),
                Stage.DECODE,
                ErrorCode.NOT_AN_IMAGE);
        badRequest(
                messages,
                expectedCodes,
                expectedStages,
                "bad-truncated",
                truncated.toUri().toString(),
                Stage.DECODE,
                ErrorCode.TRUNCATED_IMAGE);
        Path bomb = hugePng(images.resolve("bomb.png"), 20_000, 20_000);
        badRequest(
                messages,
                expectedCodes,
                expectedStages,
                "bad-bomb",
                bomb.toUri().toString(),
                Stage.DECODE,
                ErrorCode.TOO_MANY_PIXELS);
        badRequest(
                messages,
                expectedCodes,
                expectedStages,
                "bad-metadata-ip",
                "http://169.254.169.254/latest/meta-data",
                Stage.FETCH,
                ErrorCode.HOST_NOT_ALLOWED);
        // Malformed Avro: a ScoringRequest's header, then a body cut short.
        byte[] valid =
                AvroCodec.encode(
                        ScoringRequest.newBuilder().setRequestId("x").setUri("file:///x").build());
        messages.add(new byte[][] {bytes("bad-avro"), Arrays.copyOf(valid, 13)});
        // An unknown fingerprint: the marker, then garbage.
        messages.add(
                new byte[][] {
                    bytes("bad-fingerprint"),
                    new byte[] {(byte) 0xC3, 0x01, 1, 2, 3, 4, 5, 6, 7, 8, 9}
                });
        // Valid single-object encoding of another schema.
        messages.add(
                new byte[][] {
                    bytes("bad-schema"),
                    AvroCodec.encode(
                            ScoringFailure.newBuilder()
                                    .setStage(Stage.FETCH)
                                    .setCode(ErrorCode.TIMEOUT)
                                    .setMessage("x")
                                    .setFailedAt(java.time.Instant.now())
                                    .build())
                });
        KafkaTestClient.produce(kafka.bootstrapServers(), in, messages);

        JobOptions options =
                JobOptions.builder()
                        .bootstrapServers(kafka.bootstrapServers())
                        .topics(in, out, dead)
                        .startingOffsets("earliest")
                        .boundedInput(true)
                        .parallelism(2, 1)
                        .allowedRoots(List.of(images.toString()))
                        .batching(4, 100)
                        .topK(5)
                        .embeddings(true)
                        .checkpointIntervalMs(1000)
                        .exactlyOnce(true)
                        .transactionalIdPrefix("it-" + System.nanoTime())
                        .build();
        JobRun.toEnd(options, "scoring-it");

        List<Prediction> predictions = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r :
                RunSummary.readAll(kafka.bootstrapServers(), out, Map.of())) {
            Prediction p = AvroCodec.decodePrediction(r.value());
            assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo(p.getRequestId());
            predictions.add(p);
        }
        List<ScoringFailure> failures = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r :
                RunSummary.readAll(kafka.bootstrapServers(), dead, Map.of())) {
            failures.add(AvroCodec.decodeFailure(r.value()));
        }

        assertThat(predictions)
                .extracting(Prediction::getRequestId)
                .as("dead letters: %s", failures)
                .containsExactlyInAnyOrder(
                        "good-0",
                        "good-1",
                        "good-2",
                        "good-3",
                        "good-4",
                        "good-5",
                        "text-1",
                        "inline-1");
        assertThat(predictions)
                .allSatisfy(
                        p -> {
                            assertThat(p.getEmbedding()).hasSize(1536);
                            assertThat(p.getTopK()).hasSize(5);
                            assertThat(p.getModel().getName()).isEqualTo("inception_resnet_v2");
                            assertThat(p.getModel().getWeightsDigest()).isEqualTo("seeded:42");
                            assertThat(p.getCropMode()).isEqualTo("center");
                            assertThat(p.getBatchSize()).isBetween(1, 4);
                            assertThat(p.getTimings().getInferenceMs()).isPositive();
                        });
        Prediction inlined =
                predictions.stream()
                        .filter(p -> p.getRequestId().equals("inline-1"))
                        .findFirst()
                        .orElseThrow();
        assertThat(inlined.getUri()).isEqualTo("inline:");
        assertThat(
                        predictions.stream()
                                .filter(p -> p.getRequestId().equals("good-3"))
                                .findFirst()
                                .orElseThrow()
                                .getAttributes())
                .containsEntry("n", "3");

        assertThat(failures).hasSize(expectedCodes.size() + 3);
        for (ScoringFailure f : failures) {
            if (f.getRequestId() == null) {
                assertThat(f.getStage()).isEqualTo(Stage.DESERIALIZE);
                assertThat(f.getCode()).isIn(ErrorCode.MALFORMED_MESSAGE, ErrorCode.UNKNOWN_SCHEMA);
                assertThat(f.getSource().getTopic()).isEqualTo(in);
                assertThat(f.getOriginalValue()).isNotNull();
                continue;
            }
            assertThat(f.getCode())
                    .as(f.getRequestId() + ": " + f.getMessage())
                    .isEqualTo(expectedCodes.get(f.getRequestId()));
            assertThat(f.getStage())
                    .as(f.getRequestId())
                    .isEqualTo(expectedStages.get(f.getRequestId()));
            assertThat(f.getSource().getTopic()).isEqualTo(in);
        }
        assertThat(failures)
                .extracting(ScoringFailure::getCode)
                .contains(ErrorCode.MALFORMED_MESSAGE, ErrorCode.UNKNOWN_SCHEMA);

        // The streaming job and `score` agree on the same files.
        Map<String, List<Integer>> viaScore = scoreTop5(good);
        for (Prediction p : predictions) {
            if (p.getUri().startsWith("file:")) {
                List<Integer> top = p.getTopK().stream().map(c -> c.getIndex()).toList();
                assertThat(top)
                        .as(p.getUri())
                        .isEqualTo(
                                viaScore.get(Path.of(java.net.URI.create(p.getUri())).toString()));
            }
        }
    }

    private static void badRequest(
            List<byte[][]> messages,
            Map<String, ErrorCode> codes,
            Map<String, Stage> stages,
            String id,
            String uri,
            Stage stage,
            ErrorCode code) {
        messages.add(
                new byte[][] {
                    bytes(id),
                    AvroCodec.encode(
                            ScoringRequest.newBuilder().setRequestId(id).setUri(uri).build())
                });
        codes.put(id, code);
        stages.put(id, stage);
    }

    /**
     * A real, complete greyscale PNG of {@code width x height} black pixels (20,000² is 400 MB
     * decoded, about 0.4 MB on disk), streamed so the test never holds the pixels.
     */
    static Path hugePng(Path file, int width, int height) throws Exception {
        try (var out =
                new java.io.DataOutputStream(
                        new java.io.BufferedOutputStream(Files.newOutputStream(file)))) {
            out.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
            java.nio.ByteBuffer ihdr =
                    java.nio.ByteBuffer.allocate(13).putInt(width).putInt(height);
            ihdr.put((byte) 8).put((byte) 0).put((byte) 0).put((byte) 0).put((byte) 0);
            chunk(out, "IHDR", ihdr.array());
            java.io.ByteArrayOutputStream idat = new java.io.ByteArrayOutputStream();
            try (var deflate =
                    new java.util.zip.DeflaterOutputStream(idat, new java.util.zip.Deflater(9))) {
                byte[] row = new byte[width + 1]; // filter byte 0, then black pixels
                for (int y = 0; y < height; y++) {
                    deflate.write(row);
                }
            }
            chunk(out, "IDAT", idat.toByteArray());
            chunk(out, "IEND", new byte[0]);
        }
        return file;
    }

    private static void chunk(java.io.DataOutputStream out, String type, byte[] data)
            throws Exception {
        byte[] name = type.getBytes(StandardCharsets.US_ASCII);
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(name);
        crc.update(data);
        out.writeInt(data.length);
        out.write(name);
        out.write(data);
        out.writeInt((int) crc.getValue());
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Runs the score command in-process and returns file path → top-5 indices. */
    private static Map<String, List<Integer>> scoreTop5(List<Path> files) throws Exception {
        PrintStream stdout = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        List<String> args = new ArrayList<>(List.of("score", "--top-k", "5"));
        files.forEach(f -> args.add(f.toString()));
        try {
            System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
            assertThat(Main.run(args.toArray(new String[0]))).isZero();
        } finally {
            System.setOut(stdout);
        }
        var json = new com.fasterxml.jackson.databind.ObjectMapper();
        Map<String, List<Integer>> top = new HashMap<>();
        for (String line : captured.toString(StandardCharsets.UTF_8).split("\n")) {
            var record = json.readTree(line);
            List<Integer> indices = new ArrayList<>();
            record.get("top_k").forEach(k -> indices.add(k.get("index").asInt()));
            top.put(Path.of(java.net.URI.create(record.get("uri").asText())).toString(), indices);
        }
        return top;
    }
}
