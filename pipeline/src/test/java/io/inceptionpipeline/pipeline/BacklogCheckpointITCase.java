package io.inceptionpipeline.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.inceptionpipeline.schemas.AvroCodec;
import io.inceptionpipeline.schemas.Prediction;
import io.inceptionpipeline.schemas.ScoringRequest;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import javax.imageio.ImageIO;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A backlog behind a slow stage must not hold an exactly-once checkpoint open for longer than the
 * Kafka transaction it commits may live. Requests are published before the job starts and every
 * image takes a slow server 100 ms, so the job needs about {@value #REQUESTS} / 10 seconds; the
 * sinks' transactions may live {@value #TRANSACTION_TIMEOUT_MS} ms. With aligned checkpoints the
 * first barrier waited behind the backlog, the broker aborted the open transaction (its check runs
 * every 10 s) and the job failed with {@code InvalidProducerEpochException}: Inception-ResNet-v2
 * with 480 queued requests failed this way at the default 60 s timeout. With the default {@code
 * --aligned-checkpoint-timeout-ms} the checkpoint turns unaligned, completes, and every request is
 * answered once.
 */
class BacklogCheckpointITCase {

    private static final String SERVER_HOST = "127.0.0.2";
    private static final int REQUESTS = 200;
    private static final long TRANSACTION_TIMEOUT_MS = 3_000;

    @TempDir static Path work;
    static EmbeddedKafka kafka;
    static HttpServer server;
    static int port;

    @BeforeAll
    static void start() throws Exception {
        kafka = EmbeddedKafka.start(work.resolve("kafka"));
        byte[] jpeg = jpeg();
        server = HttpServer.create(new InetSocketAddress(InetAddress.getByName(SERVER_HOST), 0), 0);
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext(
                "/slow.jpg",
                ex -> {
                    try {
                        Thread.sleep(100);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    ex.getResponseHeaders().set("Content-Type", "image/jpeg");
                    ex.sendResponseHeaders(200, jpeg.length);
                    try (OutputStream out = ex.getResponseBody()) {
                        out.write(jpeg);
                    }
                });
        server.start();
        port = server.getAddress().getPort();
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

    @Test
    void aBacklogLongerThanTheTransactionTimeoutIsAnsweredOnce() throws Exception {
        String in = publish("backlog");
        JobRun.toEnd(options(in, JobOptions.DEFAULT_ALIGNED_CHECKPOINT_TIMEOUT_MS), "backlog");

        Map<String, Integer> answered = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r :
                RunSummary.readAll(kafka.bootstrapServers(), in + "-predictions", Map.of())) {
            Prediction p = AvroCodec.decodePrediction(r.value());
            answered.merge(p.getRequestId().toString(), 1, Integer::sum);
        }
        assertThat(answered).hasSize(REQUESTS);
        assertThat(answered.values()).containsOnly(1);
    }

    @Test
    void alignedCheckpointsAloneLetTheBrokerAbortTheTransaction() throws Exception {
        // The control: without the switch to unaligned checkpoints the same run fails, so the
        // test above passes because of it and not because the backlog drained in time.
        String in = publish("aligned");
        assertThatThrownBy(() -> JobRun.toEnd(options(in, -1), "aligned"))
                .hasStackTraceContaining("epoch");
    }

    private static String publish(String name) throws Exception {
        kafka.createTopics(1, name, name + "-predictions", name + "-dead-letters");
        List<byte[][]> messages = new ArrayList<>();
        for (int i = 0; i < REQUESTS; i++) {
            String id = name + "-" + i;
            messages.add(
                    new byte[][] {
                        id.getBytes(StandardCharsets.UTF_8),
                        AvroCodec.encode(
                                ScoringRequest.newBuilder()
                                        .setRequestId(id)
                                        .setUri(
                                                "http://"
                                                        + SERVER_HOST
                                                        + ":"
                                                        + port
                                                        + "/slow.jpg?"
                                                        + i)
                                        .build())
                    });
        }
        KafkaTestClient.produce(kafka.bootstrapServers(), name, messages);
        return name;
    }

    private static JobOptions options(String in, long alignedCheckpointTimeoutMs) {
        return JobOptions.builder()
                .bootstrapServers(kafka.bootstrapServers())
                .topics(in, in + "-predictions", in + "-dead-letters")
                .startingOffsets("earliest")
                .boundedInput(true)
                .parallelism(1, 1)
                .fetchConcurrency(1)
                .allowedHosts(List.of(SERVER_HOST + ":" + port))
                .fetchTimeout(Duration.ofSeconds(10))
                .model("inception_resnet_fmnist", null)
                .topK(1)
                .embeddings(false)
                .exactlyOnce(true)
                .checkpointIntervalMs(JobOptions.DEFAULT_CHECKPOINT_INTERVAL_MS)
                .alignedCheckpointTimeoutMs(alignedCheckpointTimeoutMs)
                .kafkaProperties(
                        Map.of("transaction.timeout.ms", Long.toString(TRANSACTION_TIMEOUT_MS)))
                .transactionalIdPrefix(in + "-" + System.nanoTime())
                .build();
    }

    private static byte[] jpeg() throws Exception {
        BufferedImage image = new BufferedImage(64, 48, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 48; y++) {
            for (int x = 0; x < 64; x++) {
                image.setRGB(x, y, (x * 4) << 16 | (y * 5) << 8 | 90);
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "jpg", out);
        return out.toByteArray();
    }
}
