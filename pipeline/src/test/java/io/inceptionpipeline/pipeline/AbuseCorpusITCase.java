package io.inceptionpipeline.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.inceptionpipeline.schemas.AvroCodec;
import io.inceptionpipeline.schemas.ErrorCode;
import io.inceptionpipeline.schemas.Prediction;
import io.inceptionpipeline.schemas.ScoringFailure;
import io.inceptionpipeline.schemas.ScoringRequest;
import io.inceptionpipeline.schemas.Stage;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;
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
 * The hostile and broken input corpus, in one run of the job through the real broker: every kind of
 * bad record ends as exactly one dead letter with its stage and a precise code, the formats we
 * support but that often break decoders are scored, and the good records in between are scored.
 *
 * <p>HTTP cases talk to a real HTTP server bound to 127.0.0.2, the one address the job's allow-list
 * admits; every other loopback, private or link-local address, and every name resolving to one, is
 * refused before a connection is made.
 */
class AbuseCorpusITCase {

    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(4)
                            .build());

    /** The test server's address: loopback, admitted by the job's allow-list alone. */
    private static final String SERVER_HOST = "127.0.0.2";

    /** The job's cap on image bytes, fetched or inline. */
    private static final long MAX_BYTES = 256 << 10; // small enough for an inline Kafka message

    /** Operator fixtures written by Pillow (see operators/src/test/python). */
    private static final Path FIXTURES = Path.of("../operators/src/test/resources/images");

    @TempDir static Path work;
    static EmbeddedKafka kafka;
    static HttpServer server;
    static Path images;
    static byte[] jpeg;

    @BeforeAll
    static void start() throws Exception {
        kafka = EmbeddedKafka.start(work.resolve("kafka"));
        images = Files.createDirectories(work.resolve("images"));
        jpeg = jpegBytes(400, 300);
        server = HttpServer.create(new InetSocketAddress(InetAddress.getByName(SERVER_HOST), 0), 0);
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/ok.jpg", ex -> respond(ex, 200, "image/jpeg", jpeg));
        server.createContext(
                "/page.jpg",
                ex ->
                        respond(
                                ex,
                                200,
                                "text/html",
                                "<html><body>Not found, sorry</body></html>"
                                        .getBytes(StandardCharsets.UTF_8)));
        server.createContext("/missing.jpg", ex -> respond(ex, 404, "text/plain", new byte[0]));
        server.createContext("/error.jpg", ex -> respond(ex, 500, "text/plain", new byte[0]));
        server.createContext("/loop", ex -> redirect(ex, "/loop"));
        server.createContext(
                "/to-metadata", ex -> redirect(ex, "http://169.254.169.254/latest/meta-data/"));
        server.createContext("/to-loopback", ex -> redirect(ex, "http://127.0.0.1:22/"));
        server.createContext(
                "/huge-declared",
                ex -> {
                    ex.sendResponseHeaders(200, 50L << 20);
                    ex.close();
                });
        server.createContext(
                "/silent",
                ex -> {
                    sleep(Duration.ofSeconds(20)); // never answers within the job's deadline
                    ex.close();
                });
        server.createContext(
                "/trickle",
                ex -> {
                    ex.sendResponseHeaders(200, jpeg.length);
                    try (OutputStream out = ex.getResponseBody()) {
                        for (byte b : jpeg) { // one byte every 100 ms: 5 minutes for the image
                            out.write(b);
                            out.flush();
                            sleep(Duration.ofMillis(100));
                        }
                    } catch (Exception e) {
                        // the client gave up: expected
                    }
                });
        server.start();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.stop(0);
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    /** What one record should become. */
    private record Expected(Stage stage, ErrorCode code) {
        static Expected scored() {
            return new Expected(null, null);
        }
    }

    private static final String DUPLICATE = "duplicate-id";

    /** Messages that hold no request id: their dead letters carry the Kafka key instead. */
    private static final java.util.Set<String> ANONYMOUS =
            java.util.Set.of("malformed-avro", "wrong-schema");

    private final List<byte[][]> messages = new ArrayList<>();
    private final Map<String, Expected> expected = new LinkedHashMap<>();

    private void request(String id, String uri, Expected outcome) {
        messages.add(
                new byte[][] {
                    bytes(id),
                    AvroCodec.encode(
                            ScoringRequest.newBuilder().setRequestId(id).setUri(uri).build())
                });
        expected.put(id, outcome);
    }

    private void inline(String id, byte[] image, Expected outcome) {
        messages.add(
                new byte[][] {
                    bytes(id),
                    AvroCodec.encode(
                            ScoringRequest.newBuilder()
                                    .setRequestId(id)
                                    .setUri("")
                                    .setImage(ByteBuffer.wrap(image))
                                    .build())
                });
        expected.put(id, outcome);
    }

    private static Expected fails(Stage stage, ErrorCode code) {
        return new Expected(stage, code);
    }

    @Test
    void everyHostileRecordIsOneDeadLetterWithItsCodeAndGoodRecordsAreScored() throws Exception {
        String http = "http://" + SERVER_HOST + ":" + server.getAddress().getPort();
        Path good = Files.write(images.resolve("good.jpg"), jpeg);

        // good records, spread among the bad ones below
        request("good-file", good.toUri().toString(), Expected.scored());
        request("good-http", http + "/ok.jpg", Expected.scored());
        inline("good-inline", jpeg, Expected.scored());

        // formats that trip decoders, which we decode
        for (String fixture : List.of("gray16.png", "cmyk.jpg", "animated.gif", "lossless.webp")) {
            Path copy = Files.copy(FIXTURES.resolve(fixture), images.resolve(fixture));
            request("format-" + fixture, copy.toUri().toString(), Expected.scored());
        }

        // broken files
        request(
                "zero-byte",
                Files.write(images.resolve("empty.jpg"), new byte[0]).toUri().toString(),
                fails(Stage.DECODE, ErrorCode.EMPTY_IMAGE));
        request(
                "truncated-jpeg",
                Files.write(images.resolve("truncated.jpg"), Arrays.copyOf(jpeg, jpeg.length / 2))
                        .toUri()
                        .toString(),
                fails(Stage.DECODE, ErrorCode.TRUNCATED_IMAGE));
        request(
                "corrupt-png-chunk",
                Files.write(images.resolve("corrupt.png"), corruptPng()).toUri().toString(),
                fails(Stage.DECODE, ErrorCode.CORRUPT_IMAGE));
        request(
                "text-named-jpg",
                Files.writeString(images.resolve("notes.jpg"), "Dear diary, today ...")
                        .toUri()
                        .toString(),
                fails(Stage.DECODE, ErrorCode.NOT_AN_IMAGE));
        request(
                "png-bad-ihdr-crc",
                Files.write(images.resolve("bad-crc.png"), pngWithBadIhdrCrc()).toUri().toString(),
                fails(Stage.DECODE, ErrorCode.CORRUPT_IMAGE));
        request(
                "bmp-bomb-50000",
                Files.write(images.resolve("bomb.bmp"), bmpDeclaring(50_000, 50_000))
                        .toUri()
                        .toString(),
                fails(Stage.DECODE, ErrorCode.TOO_MANY_PIXELS));
        request(
                "png-bomb-50000",
                Files.write(images.resolve("bomb.png"), pngDeclaring(50_000, 50_000))
                        .toUri()
                        .toString(),
                fails(Stage.DECODE, ErrorCode.TOO_MANY_PIXELS));
        request(
                "jpeg-bomb-50000",
                Files.write(images.resolve("bomb.jpg"), jpegDeclaring(50_000, 50_000))
                        .toUri()
                        .toString(),
                fails(Stage.DECODE, ErrorCode.TOO_MANY_PIXELS));
        request(
                "file-over-cap",
                Files.write(images.resolve("huge.jpg"), new byte[(int) MAX_BYTES + 1])
                        .toUri()
                        .toString(),
                fails(Stage.FETCH, ErrorCode.TOO_LARGE));
        inline(
                "inline-over-cap",
                new byte[(int) MAX_BYTES + 1],
                fails(Stage.FETCH, ErrorCode.TOO_LARGE));

        // malformed messages: no request id, so they are identified by their Kafka key
        byte[] valid =
                AvroCodec.encode(
                        ScoringRequest.newBuilder().setRequestId("x").setUri("file:///x").build());
        messages.add(new byte[][] {bytes("malformed-avro"), Arrays.copyOf(valid, 13)});
        expected.put("malformed-avro", fails(Stage.DESERIALIZE, ErrorCode.MALFORMED_MESSAGE));
        messages.add(
                new byte[][] {
                    bytes("wrong-schema"),
                    AvroCodec.encode(
                            ScoringFailure.newBuilder()
                                    .setStage(Stage.FETCH)
                                    .setCode(ErrorCode.TIMEOUT)
                                    .setMessage("x")
                                    .setFailedAt(Instant.now())
                                    .build())
                });
        expected.put("wrong-schema", fails(Stage.DESERIALIZE, ErrorCode.UNKNOWN_SCHEMA));

        // URIs
        request("empty-uri", "", fails(Stage.DESERIALIZE, ErrorCode.MISSING_URI));
        request("no-scheme", "images/cat.jpg", fails(Stage.FETCH, ErrorCode.INVALID_URI));
        request(
                "unparsable",
                "http://exa mple.com/a.jpg",
                fails(Stage.FETCH, ErrorCode.INVALID_URI));
        request(
                "unknown-scheme",
                "gopher://example.com/a.jpg",
                fails(Stage.FETCH, ErrorCode.UNSUPPORTED_SCHEME));
        request(
                "outside-roots",
                "file:///etc/hostname",
                fails(Stage.FETCH, ErrorCode.PATH_NOT_ALLOWED));
        request(
                "traversal",
                images.toUri() + "../../../../etc/passwd",
                fails(Stage.FETCH, ErrorCode.PATH_NOT_ALLOWED));
        request(
                "traversal-encoded",
                images.toUri() + "%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
                fails(Stage.FETCH, ErrorCode.PATH_NOT_ALLOWED));
        Path escape = images.resolve("escape.jpg");
        Files.createSymbolicLink(escape, Path.of("/etc/hostname"));
        request(
                "symlink-escape",
                escape.toUri().toString(),
                fails(Stage.FETCH, ErrorCode.PATH_NOT_ALLOWED));
        Process mkfifo =
                new ProcessBuilder("mkfifo", images.resolve("pipe.jpg").toString()).start();
        assertThat(mkfifo.waitFor()).isZero();
        request(
                "fifo",
                images.resolve("pipe.jpg").toUri().toString(),
                fails(Stage.FETCH, ErrorCode.NOT_REGULAR_FILE));
        request(
                "directory",
                Files.createDirectories(images.resolve("folder.jpg")).toUri().toString(),
                fails(Stage.FETCH, ErrorCode.NOT_REGULAR_FILE));
        request(
                "missing-file",
                images.resolve("nowhere.jpg").toUri().toString(),
                fails(Stage.FETCH, ErrorCode.NOT_FOUND));

        // addresses the job must never reach
        int port = server.getAddress().getPort();
        request(
                "loopback",
                "http://127.0.0.1:" + port + "/ok.jpg",
                fails(Stage.FETCH, ErrorCode.HOST_NOT_ALLOWED));
        request(
                "loopback-v6",
                "http://[::1]:" + port + "/ok.jpg",
                fails(Stage.FETCH, ErrorCode.HOST_NOT_ALLOWED));
        request(
                "name-to-loopback",
                "http://localhost:" + port + "/ok.jpg",
                fails(Stage.FETCH, ErrorCode.HOST_NOT_ALLOWED));
        request(
                "link-local-metadata",
                "http://169.254.169.254/latest/meta-data/",
                fails(Stage.FETCH, ErrorCode.HOST_NOT_ALLOWED));
        request(
                "private-10",
                "http://10.0.0.1/a.jpg",
                fails(Stage.FETCH, ErrorCode.HOST_NOT_ALLOWED));
        request(
                "private-192-168",
                "http://192.168.1.1/a.jpg",
                fails(Stage.FETCH, ErrorCode.HOST_NOT_ALLOWED));
        // the allow-list names the server's address and port: no other port of it
        request(
                "allowed-address-other-port",
                "http://" + SERVER_HOST + ":1/ok.jpg",
                fails(Stage.FETCH, ErrorCode.HOST_NOT_ALLOWED));
        request(
                "mapped-v6-other-port",
                "http://[::ffff:" + SERVER_HOST + "]:1/ok.jpg",
                fails(Stage.FETCH, ErrorCode.HOST_NOT_ALLOWED));
        request(
                "localhost-port-1",
                "http://localhost:1/ok.jpg",
                fails(Stage.FETCH, ErrorCode.HOST_NOT_ALLOWED));
        // HTTPS: vetted like HTTP before any connection, and no fallback when TLS fails
        request(
                "https-name-to-loopback",
                "https://localhost:" + port + "/ok.jpg",
                fails(Stage.FETCH, ErrorCode.HOST_NOT_ALLOWED));
        // a server that does not speak TLS never completes the handshake: no plain-text retry
        request(
                "https-to-plain-server",
                "https://" + SERVER_HOST + ":" + port + "/ok.jpg",
                fails(Stage.FETCH, ErrorCode.TIMEOUT));
        // IPv6 forms that a gateway delivers to a blocked IPv4 address, and Teredo
        request(
                "nat64-metadata",
                "http://[64:ff9b::a9fe:a9fe]/latest/meta-data/",
                fails(Stage.FETCH, ErrorCode.HOST_NOT_ALLOWED));
        request(
                "6to4-loopback",
                "http://[2002:7f00:1::1]/a.jpg",
                fails(Stage.FETCH, ErrorCode.HOST_NOT_ALLOWED));
        request(
                "v4-compatible-loopback",
                "http://[::127.0.0.1]/a.jpg",
                fails(Stage.FETCH, ErrorCode.HOST_NOT_ALLOWED));
        request(
                "teredo",
                "http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/a.jpg",
                fails(Stage.FETCH, ErrorCode.HOST_NOT_ALLOWED));
        request(
                "redirect-to-metadata",
                http + "/to-metadata",
                fails(Stage.FETCH, ErrorCode.HOST_NOT_ALLOWED));
        request(
                "redirect-to-loopback",
                http + "/to-loopback",
                fails(Stage.FETCH, ErrorCode.HOST_NOT_ALLOWED));

        // servers that misbehave
        request("html-as-image", http + "/page.jpg", fails(Stage.DECODE, ErrorCode.NOT_AN_IMAGE));
        request("http-404", http + "/missing.jpg", fails(Stage.FETCH, ErrorCode.NOT_FOUND));
        request("http-500", http + "/error.jpg", fails(Stage.FETCH, ErrorCode.HTTP_STATUS));
        request("redirect-loop", http + "/loop", fails(Stage.FETCH, ErrorCode.TOO_MANY_REDIRECTS));
        request(
                "declared-over-cap",
                http + "/huge-declared",
                fails(Stage.FETCH, ErrorCode.TOO_LARGE));
        request("silent-server", http + "/silent", fails(Stage.FETCH, ErrorCode.TIMEOUT));
        request("trickling-server", http + "/trickle", fails(Stage.FETCH, ErrorCode.TIMEOUT));

        request("good-file-2", good.toUri().toString(), Expected.scored());

        // the same request id twice: the first is scored, the copy becomes a dead letter
        request(DUPLICATE, good.toUri().toString(), Expected.scored());
        messages.add(
                new byte[][] {
                    bytes(DUPLICATE),
                    AvroCodec.encode(
                            ScoringRequest.newBuilder()
                                    .setRequestId(DUPLICATE)
                                    .setUri(http + "/ok.jpg")
                                    .build())
                });

        String in = "abuse-requests";
        String out = "abuse-predictions";
        String dead = "abuse-dead-letters";
        kafka.createTopics(2, in, out, dead);
        KafkaTestClient.produce(kafka.bootstrapServers(), in, messages);

        JobOptions options =
                JobOptions.builder()
                        .bootstrapServers(kafka.bootstrapServers())
                        .topics(in, out, dead)
                        .startingOffsets("earliest")
                        .boundedInput(true)
                        .parallelism(2, 1)
                        .allowedRoots(List.of(images.toString()))
                        .allowedHosts(List.of(SERVER_HOST + ":" + port))
                        .maxImageBytes(MAX_BYTES)
                        .fetchTimeout(Duration.ofSeconds(3))
                        .model("inception_resnet_fmnist", null)
                        .batching(4, 100)
                        .topK(3)
                        .embeddings(false)
                        .checkpointIntervalMs(1000)
                        .exactlyOnce(true)
                        .transactionalIdPrefix("abuse-" + System.nanoTime())
                        .build();
        JobRun.toEnd(options, "abuse-corpus");

        Map<String, Integer> scored = new LinkedHashMap<>();
        for (ConsumerRecord<byte[], byte[]> r :
                RunSummary.readAll(kafka.bootstrapServers(), out, Map.of())) {
            Prediction p = AvroCodec.decodePrediction(r.value());
            scored.merge(p.getRequestId(), 1, Integer::sum);
        }
        Map<String, List<ScoringFailure>> failed = new LinkedHashMap<>();
        for (ConsumerRecord<byte[], byte[]> r :
                RunSummary.readAll(kafka.bootstrapServers(), dead, Map.of())) {
            ScoringFailure f = AvroCodec.decodeFailure(r.value());
            String id = f.getRequestId() != null ? f.getRequestId() : sentAs(f);
            if (f.getRequestId() == null) {
                // an unreadable message's dead letter carries the key it arrived with
                assertThat(r.key()).isNotNull();
                assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo(id);
                assertThat(toArray(f.getOriginalKey())).isEqualTo(r.key());
            }
            failed.computeIfAbsent(id, k -> new ArrayList<>()).add(f);
        }

        System.out.println("| record | outcome |");
        System.out.println("|---|---|");
        for (String id : expected.keySet()) {
            String outcome =
                    scored.containsKey(id)
                            ? "scored"
                            : failed.getOrDefault(id, List.of()).stream()
                                    .map(f -> f.getStage() + "/" + f.getCode())
                                    .collect(Collectors.joining(", "));
            System.out.printf("| %s | %s |%n", id, outcome);
        }

        assertThat(expected).hasSizeGreaterThanOrEqualTo(40);
        for (Map.Entry<String, Expected> e : expected.entrySet()) {
            String id = e.getKey();
            List<ScoringFailure> letters = failed.getOrDefault(id, List.of());
            if (id.equals(DUPLICATE)) {
                assertThat(scored.get(id)).as(id).isEqualTo(1);
                assertThat(letters).as(id).hasSize(1);
                assertThat(letters.get(0).getCode()).isEqualTo(ErrorCode.DUPLICATE_REQUEST_ID);
                assertThat(letters.get(0).getStage()).isEqualTo(Stage.DESERIALIZE);
            } else if (e.getValue().code() == null) {
                assertThat(scored.get(id))
                        .as("%s scored once; dead letters %s", id, letters)
                        .isEqualTo(1);
                assertThat(letters).as(id).isEmpty();
            } else {
                assertThat(scored).as(id).doesNotContainKey(id);
                assertThat(letters).as(id).hasSize(1);
                assertThat(letters.get(0).getCode())
                        .as("%s: %s", id, letters.get(0).getMessage())
                        .isEqualTo(e.getValue().code());
                assertThat(letters.get(0).getStage()).as(id).isEqualTo(e.getValue().stage());
                assertThat(letters.get(0).getMessage()).as(id).isNotBlank();
                if (!ANONYMOUS.contains(id)) { // every message that names its request
                    assertThat(letters.get(0).getRequestId()).as(id).isEqualTo(id);
                }
            }
        }
        assertThat(scored.keySet()).isSubsetOf(expected.keySet());
        assertThat(failed.keySet()).isSubsetOf(expected.keySet());
    }

    /** The key of the message an unreadable-message dead letter keeps the bytes of. */
    private String sentAs(ScoringFailure f) {
        byte[] original = f.getOriginalValue() == null ? null : toArray(f.getOriginalValue());
        for (byte[][] message : messages) {
            if (Arrays.equals(message[1], original)) {
                return new String(message[0], StandardCharsets.UTF_8);
            }
        }
        return "unidentified: " + f;
    }

    private static byte[] toArray(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return bytes;
    }

    private static void respond(HttpExchange ex, int status, String type, byte[] body)
            throws java.io.IOException {
        ex.getResponseHeaders().add("Content-Type", type);
        ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    private static void redirect(HttpExchange ex, String location) throws java.io.IOException {
        ex.getResponseHeaders().add("Location", location);
        ex.sendResponseHeaders(302, -1);
        ex.close();
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static byte[] jpegBytes(int width, int height) throws Exception {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                image.setRGB(x, y, (x * 255 / width) << 16 | (y * 255 / height) << 8 | 90);
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "jpg", out);
        return out.toByteArray();
    }

    /** A small real PNG whose IDAT chunk has one byte flipped (its CRC no longer matches). */
    private static byte[] corruptPng() throws Exception {
        BufferedImage image = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
        for (int i = 0; i < 64; i++) {
            image.setRGB(i, i, 0xffffff);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "png", out);
        byte[] png = out.toByteArray();
        for (int i = 8; i + 8 < png.length; i++) {
            if (png[i] == 'I' && png[i + 1] == 'D' && png[i + 2] == 'A' && png[i + 3] == 'T') {
                png[i + 8] ^= 0x5a; // inside the compressed data
                return png;
            }
        }
        throw new IllegalStateException("no IDAT chunk");
    }

    /**
     * A PNG whose header declares {@code width x height} 8-bit grey pixels followed by the
     * compressed first rows only: what a decompression bomb looks like until it is inflated.
     */
    private static byte[] pngDeclaring(int width, int height) throws Exception {
        Path file = Files.createTempFile(work, "bomb", ".png");
        ScoringJobITCase.hugePng(file, width, 64); // real rows, then the declared height
        byte[] png = Files.readAllBytes(file);
        ByteBuffer.wrap(png, 16 + 4, 4).putInt(height); // IHDR: width at 16, height at 20
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(png, 12, 17); // "IHDR" and its 13 data bytes
        ByteBuffer.wrap(png, 29, 4).putInt((int) crc.getValue());
        return png;
    }

    /** A small real PNG whose IHDR CRC is wrong: libpng and Pillow refuse it. */
    private static byte[] pngWithBadIhdrCrc() throws Exception {
        BufferedImage image = new BufferedImage(32, 32, BufferedImage.TYPE_INT_RGB);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "png", out);
        byte[] png = out.toByteArray();
        png[29] ^= 0x01; // IHDR's CRC follows its 13 data bytes at 16
        return png;
    }

    /** A BMP header declaring {@code width x height} 24-bit pixels, and no pixels. */
    private static byte[] bmpDeclaring(int width, int height) {
        ByteBuffer b = ByteBuffer.allocate(54 + 64).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 'B').put((byte) 'M').putInt(54 + 64).putInt(0).putInt(54);
        b.putInt(40).putInt(width).putInt(height).putShort((short) 1).putShort((short) 24);
        b.putInt(0).putInt(0).putInt(2835).putInt(2835).putInt(0).putInt(0);
        return b.array();
    }

    /** A real JPEG whose frame header (SOF0) declares {@code width x height}. */
    private static byte[] jpegDeclaring(int width, int height) throws Exception {
        byte[] bytes = jpegBytes(64, 64);
        for (int i = 2; i + 8 < bytes.length; i++) {
            if ((bytes[i] & 0xff) == 0xFF && (bytes[i + 1] & 0xff) == 0xC0) {
                bytes[i + 5] = (byte) (height >> 8);
                bytes[i + 6] = (byte) height;
                bytes[i + 7] = (byte) (width >> 8);
                bytes[i + 8] = (byte) width;
                return bytes;
            }
        }
        throw new IllegalStateException("no SOF0 marker");
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
