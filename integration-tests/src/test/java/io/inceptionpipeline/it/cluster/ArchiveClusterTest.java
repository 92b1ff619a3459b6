package io.inceptionpipeline.it.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.inceptionpipeline.pipeline.archive.ArchiveOutput;
import io.inceptionpipeline.schemas.ErrorCode;
import io.inceptionpipeline.schemas.Prediction;
import io.inceptionpipeline.schemas.ScoringFailure;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;

/**
 * The job jar's archive mode ({@code flink run inception-pipeline-job.jar archive ...}) on the
 * multi-process session cluster (a JobManager and two TaskManagers, each its own JVM), submitted
 * through the REST API as a jar, with a manifest and output folder on storage every process sees
 * (here: this machine's disk). Mid-run, a TaskManager running tasks is killed with SIGKILL and a
 * new one started: the job must finish, and every id of the manifest must be answered exactly once,
 * in the committed Avro part files and in Kafka under read_committed alike; the one bad line,
 * exactly one dead letter naming its id and line number.
 *
 * <p>The Fashion-MNIST samples are served over HTTP by this test, from when every task runs and
 * each after a delay, so the scoring lasts long enough (about 15 s) for the kill to land mid-run:
 * from local files the cluster would answer a few hundred images in about a second.
 */
class ArchiveClusterTest {

    private static final int LINES = 320;
    private static final int BAD_INDEX = 150;
    private static final String BAD_ID = "no-uri-here";
    private static final long SERVE_DELAY_MS = 150;
    private static final String PREDICTIONS = "archive-predictions";
    private static final String DEAD_LETTERS = "archive-dead-letters";

    /** Under target/, not a temporary folder: the processes' logs stay for a failed run. */
    private final Path dir = Path.of("target", "archive-cluster").toAbsolutePath();

    @Test
    void archiveModeSurvivesKillingATaskManagerAndAnswersEveryIdOnce() throws Exception {
        deleteRecursively(dir);
        Files.createDirectories(dir);
        Path samples =
                Path.of(System.getProperty("fashion.samples.dir"), "images")
                        .toAbsolutePath()
                        .normalize();
        List<Path> images;
        try (Stream<Path> files = Files.list(samples)) {
            images = files.filter(p -> p.toString().endsWith(".png")).sorted().toList();
        }
        CountDownLatch gate = new CountDownLatch(1);
        HttpServer server = slowImageServer(samples, gate);
        try (KafkaBrokerProcess broker = KafkaBrokerProcess.start(dir.resolve("kafka"))) {
            createTopics(broker.bootstrapServers());
            Map<String, String> conf = new LinkedHashMap<>();
            conf.put("restart-strategy.type", "fixed-delay");
            conf.put("restart-strategy.fixed-delay.attempts", "20");
            conf.put("restart-strategy.fixed-delay.delay", "1 s");
            // The whole manifest sits in network buffers ahead of the first barrier (320 lines fit
            // in one 32 KB buffer): aligned, checkpoint 1 completed only when every image was
            // fetched (17.5 s), so there was no mid-run commit to restore. The job's default
            // (--aligned-checkpoint-timeout-ms 1000) turns such a checkpoint unaligned: its
            // barrier overtakes the backlog, as on a production cluster with slow fetches.
            try (FlinkSessionCluster cluster =
                            FlinkSessionCluster.start(dir.resolve("flink"), 2, 2, conf);
                    OutputLedger ledger =
                            new OutputLedger(
                                    broker.bootstrapServers(), PREDICTIONS, DEAD_LETTERS)) {
                runAndCheck(cluster, ledger, broker, server, gate, images);
            }
        } finally {
            server.stop(0);
        }
    }

    private void runAndCheck(
            FlinkSessionCluster cluster,
            OutputLedger ledger,
            KafkaBrokerProcess broker,
            HttpServer server,
            CountDownLatch gate,
            List<Path> images)
            throws Exception {
        // The manifest: a header, LINES images cycling the samples, one line an id without a URI.
        String base = "http://127.0.0.1:" + server.getAddress().getPort() + "/";
        List<String> lines = new ArrayList<>(List.of("id,uri"));
        Set<String> good = new LinkedHashSet<>();
        long badLine = -1;
        for (int i = 0; i < LINES; i++) {
            if (i == BAD_INDEX) {
                lines.add(BAD_ID + ",");
                badLine = lines.size();
                continue;
            }
            String id = String.format("img-%04d", i);
            lines.add(id + "," + base + images.get(i % images.size()).getFileName());
            good.add(id);
        }
        Path shared = Files.createDirectories(dir.resolve("shared"));
        Path manifest = Files.write(shared.resolve("manifest.csv"), lines);
        Path out = shared.resolve("out");
        Set<String> all = new LinkedHashSet<>(good);
        all.add(BAD_ID);

        String jarId = cluster.rest().uploadJar(Path.of(System.getProperty("pipeline.job.jar")));
        List<String> args =
                List.of(
                        "archive",
                        "--input",
                        manifest.toString(),
                        "--output-dir",
                        out.toString(),
                        "--bootstrap-servers",
                        broker.bootstrapServers(),
                        "--output-topic",
                        PREDICTIONS,
                        "--dead-letter-topic",
                        DEAD_LETTERS,
                        "--transactional-id-prefix",
                        "archive-cluster",
                        "--model",
                        "inception_resnet_fmnist",
                        "--no-embeddings",
                        "--allowed-host",
                        "127.0.0.1",
                        "--fetch-parallelism",
                        "2",
                        "--inference-parallelism",
                        "2",
                        "--fetch-concurrency",
                        "2",
                        // fetches wait at the gate while the model loads
                        "--fetch-timeout-ms",
                        "180000",
                        "--batch-size",
                        "8",
                        "--checkpoint-interval-ms",
                        "1000",
                        "--threads",
                        "1");
        String jobId = cluster.rest().runJar(jarId, "io.inceptionpipeline.cli.JobMain", args, null);
        // the program's main ran in the JobManager (a REST submission): its output is there
        assertThat(Files.readString(cluster.jobManager().log()))
                .as("what the archive mode printed at submission")
                .contains("archive: job " + jobId + " submitted, " + all.size() + " images");

        // Images are served once every task runs (the model loaded): else the fetches, done
        // meanwhile, would leave only a second of scoring to kill a TaskManager in.
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (!cluster.rest().allTasksRunning(jobId)) {
            assertThat(System.nanoTime())
                    .as("every task running in time\n" + cluster.logs())
                    .isLessThan(deadline);
            Thread.sleep(100);
        }
        gate.countDown();

        // Mid-run: once a checkpoint committed some answers, kill a TaskManager running tasks.
        ArchiveOutput output = new ArchiveOutput(out);
        while (output.predictionFiles().isEmpty()) {
            assertThat(System.nanoTime())
                    .as("a part file committed in time\n" + cluster.logs())
                    .isLessThan(deadline);
            assertThat(cluster.rest().jobState(jobId))
                    .as("job state before the kill")
                    .isNotIn("FINISHED", "FAILED", "CANCELED");
            Thread.sleep(100);
        }
        ManagedProcess victim = cluster.busyTaskManager();
        long killedAt = System.currentTimeMillis();
        victim.kill();
        int answeredAtKill = answers(output).size();
        assertThat(cluster.rest().jobState(jobId))
                .as("still running when killed")
                .isNotEqualTo("FINISHED");
        assertThat(answeredAtKill)
                .as("answers committed when killed")
                .isPositive()
                .isLessThan(all.size());
        cluster.startTaskManager();

        String state = awaitEnd(cluster, jobId, Duration.ofMinutes(3));
        assertThat(state).as("job state\n" + cluster.logs()).isEqualTo("FINISHED");
        assertThat(cluster.rest().enteredAt(jobId, "RESTARTING"))
                .as("the kill hit the job: it restarted")
                .isGreaterThanOrEqualTo(killedAt);

        // The committed part files: every good id once as a prediction, the bad line once as a
        // dead letter, nothing else.
        Map<String, Long> files = answers(output);
        assertThat(files.keySet()).as("ids answered in the part files").isEqualTo(all);
        assertThat(files).allSatisfy((id, n) -> assertThat(n).as(id).isOne());
        assertThat(output.readPredictions())
                .extracting(Prediction::getRequestId)
                .containsExactlyInAnyOrderElementsOf(good);
        List<ScoringFailure> deadLetters = output.readDeadLetters();
        assertThat(deadLetters).hasSize(1);
        ScoringFailure bad = deadLetters.get(0);
        assertThat(ArchiveOutput.idOf(bad)).isEqualTo(BAD_ID);
        assertThat(bad.getCode()).isEqualTo(ErrorCode.MISSING_URI);
        assertThat(bad.getSource().getTopic()).isEqualTo("manifest.csv");
        assertThat(bad.getSource().getOffset()).as("its manifest line").isEqualTo(badLine);

        // Kafka, read_committed: the same, exactly once.
        assertThat(ledger.awaitAll(all, Duration.ofMinutes(1))).as("all ids in Kafka").isTrue();
        Thread.sleep(1000); // a duplicate would arrive with the same commits
        assertThat(ledger.countsById()).isEqualTo(ones(all));
        assertThat(ledger.seen())
                .filteredOn(seen -> !seen.prediction())
                .extracting(OutputLedger.Seen::requestId)
                .containsExactly(BAD_ID);
    }

    /** Polls the job until it is FINISHED, FAILED or CANCELED; returns that state. */
    private static String awaitEnd(FlinkSessionCluster cluster, String jobId, Duration timeout)
            throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        String state = cluster.rest().jobState(jobId);
        while (!Set.of("FINISHED", "FAILED", "CANCELED").contains(state)
                && System.nanoTime() < deadline) {
            Thread.sleep(250);
            state = cluster.rest().jobState(jobId);
        }
        return state;
    }

    /** Every answer's id in the committed part files, predictions and dead letters, counted. */
    private static Map<String, Long> answers(ArchiveOutput output) throws IOException {
        List<String> ids = new ArrayList<>();
        output.readPredictions().forEach(p -> ids.add(p.getRequestId()));
        output.readDeadLetters().forEach(f -> ids.add(ArchiveOutput.idOf(f)));
        return ids.stream()
                .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
    }

    private static Map<String, Long> ones(Set<String> ids) {
        return ids.stream().collect(Collectors.toMap(Function.identity(), id -> 1L));
    }

    /**
     * The samples over HTTP on the loopback address, once {@code gate} opens, each answered after
     * {@link #SERVE_DELAY_MS}: with two fetch subtasks of two fetches in flight, about 25 images a
     * second.
     */
    private static HttpServer slowImageServer(Path samples, CountDownLatch gate)
            throws IOException {
        HttpServer server =
                HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(Executors.newFixedThreadPool(8));
        server.createContext(
                "/",
                exchange -> {
                    try {
                        Path file =
                                samples.resolve(exchange.getRequestURI().getPath().substring(1));
                        if (!file.normalize().startsWith(samples) || !Files.isRegularFile(file)) {
                            exchange.sendResponseHeaders(404, -1);
                            return;
                        }
                        if (!gate.await(3, TimeUnit.MINUTES)) {
                            exchange.sendResponseHeaders(503, -1);
                            return;
                        }
                        Thread.sleep(SERVE_DELAY_MS);
                        byte[] body = Files.readAllBytes(file);
                        exchange.getResponseHeaders().add("Content-Type", "image/png");
                        exchange.sendResponseHeaders(200, body.length);
                        try (OutputStream stream = exchange.getResponseBody()) {
                            stream.write(body);
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    } finally {
                        exchange.close();
                    }
                });
        server.start();
        return server;
    }

    private static void createTopics(String bootstrapServers) throws Exception {
        try (Admin admin =
                Admin.create(
                        Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            admin.createTopics(
                            List.of(
                                    new NewTopic(PREDICTIONS, 2, (short) 1),
                                    new NewTopic(DEAD_LETTERS, 1, (short) 1)))
                    .all()
                    .get();
        }
    }

    private static void deleteRecursively(Path root) throws IOException {
        if (Files.exists(root)) {
            try (Stream<Path> paths = Files.walk(root)) {
                for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }
}
