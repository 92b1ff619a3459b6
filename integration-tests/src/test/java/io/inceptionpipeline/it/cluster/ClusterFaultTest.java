package io.inceptionpipeline.it.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.inceptionpipeline.schemas.ScoringRequest;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The job jar on a real multi-process Flink session cluster (a JobManager and two TaskManagers,
 * each its own JVM) against a Kafka broker in its own process, submitted through the REST API as a
 * user submits it. Phases of 1,000 requests each, one fault in the middle of each: none, kill -9 of
 * a TaskManager (a new one is started), kill -9 and restart of the broker, stop with a savepoint
 * and resume from it; then 3,000 unthrottled requests with a cancel and a resubmission at
 * parallelism 3 from the retained checkpoint, and a burst. Every phase must end with each request
 * id exactly once in predictions ∪ dead letters under read_committed. The measured table is written
 * to {@code target/fault-suite.md} (docs/reliability.md quotes it).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterFaultTest {

    private static final String INPUT = "requests";
    private static final String PREDICTIONS = "predictions";
    private static final String DEAD_LETTERS = "dead-letters";
    private static final int PER_PHASE = 1000;
    private static final double RATE = 50;

    /** Every 25th request names a missing file: one NOT_FOUND dead letter each. */
    private static final int BAD_EVERY = 25;

    /** Under target/, not a temporary folder: the processes' logs stay for a failed run. */
    private final Path dir = Path.of("target", "fault-suite").toAbsolutePath();

    private KafkaBrokerProcess broker;
    private FlinkSessionCluster cluster;
    private OutputLedger ledger;
    private String jarId;
    private String jobId;
    private int promPortBase;
    private final List<Path> images = new ArrayList<>();
    private final List<String> table = new ArrayList<>();

    /** Lines written under the table. */
    private final List<String> notes = new ArrayList<>();

    private int nextId;

    @BeforeAll
    void startEverything() throws Exception {
        deleteRecursively(dir);
        Path samples = Path.of(System.getProperty("fashion.samples.dir"), "images");
        try (Stream<Path> files = Files.list(samples)) {
            files.filter(p -> p.toString().endsWith(".png")).sorted().forEach(images::add);
        }
        broker = KafkaBrokerProcess.start(dir.resolve("kafka"));
        try (Admin admin =
                Admin.create(
                        Map.of(
                                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                                broker.bootstrapServers()))) {
            admin.createTopics(
                            List.of(
                                    new NewTopic(INPUT, 4, (short) 1),
                                    new NewTopic(PREDICTIONS, 2, (short) 1),
                                    new NewTopic(DEAD_LETTERS, 1, (short) 1)))
                    .all()
                    .get();
        }
        promPortBase = KafkaBrokerProcess.freePort();
        Map<String, String> conf = new LinkedHashMap<>();
        conf.put("metrics.reporter.prom.port", promPortBase + "-" + (promPortBase + 9));
        conf.put("restart-strategy.type", "fixed-delay");
        conf.put("restart-strategy.fixed-delay.attempts", "1000");
        conf.put("restart-strategy.fixed-delay.delay", "1 s");
        // a cancelled job's last checkpoint stays, to be resubmitted from (the rescale phase)
        conf.put(
                "execution.checkpointing.externalized-checkpoint-retention",
                "RETAIN_ON_CANCELLATION");
        // -Dcluster.conf=key=value,key=value: Flink settings to compare, e.g.
        // execution.checkpointing.unaligned.enabled=true
        for (String setting : System.getProperty("cluster.conf", "").split(",")) {
            if (!setting.isBlank()) {
                String[] kv = setting.split("=", 2);
                conf.put(kv[0].trim(), kv[1].trim());
            }
        }
        cluster = FlinkSessionCluster.start(dir.resolve("flink"), 2, 2, conf);
        ledger = new OutputLedger(broker.bootstrapServers(), PREDICTIONS, DEAD_LETTERS);
        jarId = cluster.rest().uploadJar(Path.of(System.getProperty("pipeline.job.jar")));
        jobId = submit(null);
        table.add(
                "| scenario | requests in | predictions | dead letters | duplicates | missing"
                        + " | tasks running again after the fault | longest output stall"
                        + " | scoring rate | consumer lag (max) | source back-pressure (max)"
                        + " | TaskManager heap high-water | TaskManager RSS high-water |");
        table.add("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
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

    private String submit(String savepoint) throws Exception {
        return submit(savepoint, 2);
    }

    /**
     * Submits the job jar with {@code parallelism} fetch and inference subtasks, from {@code
     * savepoint} (a savepoint or a retained checkpoint) when not null.
     */
    private String submit(String savepoint, int parallelism) throws Exception {
        List<String> args =
                List.of(
                        "--bootstrap-servers",
                        broker.bootstrapServers(),
                        "--input-topic",
                        INPUT,
                        "--output-topic",
                        PREDICTIONS,
                        "--dead-letter-topic",
                        DEAD_LETTERS,
                        "--starting-offsets",
                        "earliest",
                        "--model",
                        "inception_resnet_fmnist",
                        "--allowed-root",
                        images.get(0).getParent().toString(),
                        "--fetch-parallelism",
                        Integer.toString(parallelism),
                        "--inference-parallelism",
                        Integer.toString(parallelism),
                        // batching, buffer timeout and checkpoint interval: run's defaults
                        "--batch-size",
                        "16",
                        "--transactional-id-prefix",
                        "fault-suite",
                        "--threads",
                        "1");
        return cluster.rest().runJar(jarId, "io.inceptionpipeline.cli.JobMain", args, savepoint);
    }

    @AfterAll
    void stopEverything() throws Exception {
        Path report = Path.of("target", "fault-suite.md");
        Files.createDirectories(report.getParent());
        List<String> lines = new ArrayList<>(table);
        if (!notes.isEmpty()) {
            lines.add("");
            lines.addAll(notes);
        }
        Files.writeString(report, String.join("\n", lines) + "\n");
        System.out.println(String.join("\n", lines));
        if (ledger != null) {
            ledger.close();
        }
        if (cluster != null) {
            cluster.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    @Order(1)
    void scoresThroughKafkaAndExportsPrometheusMetrics() throws Exception {
        Phase phase = runPhase("no fault", PER_PHASE, RATE, fault -> {});
        phase.assertExactlyOnce();

        // the TaskManagers' Prometheus reporters export the job's own metrics
        String prefix = "flink_taskmanager_job_task_operator_inception_";
        long scored = scrapeSum(prefix + "imagesScored", "");
        assertTrue(
                scored >= phase.predictions,
                "imagesScored " + scored + " < predictions " + phase.predictions);
        long notFound = scrapeSum(prefix + "stage_code_imagesFailed", "code=\"NOT_FOUND\"");
        assertTrue(notFound >= phase.deadLetters, "imagesFailed{NOT_FOUND} " + notFound);
        assertTrue(scrapeSum(prefix + "batchSize_count", "") > 0, "batchSize histogram");
    }

    @Test
    @Order(2)
    void survivesKillingATaskManager() throws Exception {
        Phase phase =
                runPhase(
                        "kill -9 of a TaskManager running tasks, a new one started",
                        PER_PHASE,
                        RATE,
                        fault -> {
                            ManagedProcess victim = cluster.busyTaskManager();
                            fault.memoryHighWater(victim.residentHighWaterBytes());
                            fault.at();
                            victim.kill();
                            // the job restarts on the surviving TaskManager's free slots
                            fault.awaitTasksRunning();
                            cluster.startTaskManager();
                        });
        phase.assertExactlyOnce();
        assertTrue(phase.tasksRunningMs > 0, "the kill did not hit the job: it never restarted");
    }

    @Test
    @Order(3)
    void survivesABrokerRestart() throws Exception {
        Phase phase =
                runPhase(
                        "kill -9 of the Kafka broker, restarted after 2 s",
                        PER_PHASE,
                        RATE,
                        fault -> {
                            fault.at();
                            broker.killAndRestart(Duration.ofSeconds(2));
                            fault.awaitTasksRunning();
                        });
        phase.assertExactlyOnce();
    }

    @Test
    @Order(4)
    void resumesFromASavepoint() throws Exception {
        Phase phase =
                runPhase(
                        "stop with savepoint, job resubmitted from it",
                        PER_PHASE,
                        RATE,
                        fault -> {
                            fault.at();
                            String savepoint =
                                    cluster.rest()
                                            .stopWithSavepoint(
                                                    jobId,
                                                    dir.resolve("flink/savepoints"),
                                                    Duration.ofMinutes(2));
                            jobId = submit(savepoint);
                            fault.awaitTasksRunning();
                        });
        phase.assertExactlyOnce();
    }

    /**
     * A rescale as an autoscaler does it: the job cancelled in a backlog and resubmitted with one
     * more subtask per stage from its last retained checkpoint, which, taken under back-pressure,
     * is unaligned and carries records in flight (crops and requests in network buffers). The fetch
     * operator's in-flight requests come back on other subtasks, the in-flight crops are re-routed
     * by key, and half-full batches stay under the old buckets' keys; every request must still be
     * answered exactly once. The note under the table says what the checkpoint held.
     */
    @Test
    @Order(5)
    void rescalesFromARetainedCheckpointUnderBackPressure() throws Exception {
        String[] restored = {""};
        Phase phase =
                runPhase(
                        "cancelled in a backlog, resubmitted at parallelism 3 from its last"
                                + " checkpoint",
                        3000,
                        1e6,
                        fault -> {
                            // until a completed checkpoint carries records in flight (60 s at most)
                            long until = System.currentTimeMillis() + 60_000;
                            while (System.currentTimeMillis() < until
                                    && cluster.rest()
                                                    .latestCheckpoint(jobId)
                                                    .path("persisted_data")
                                                    .asLong()
                                            == 0) {
                                Thread.sleep(100);
                            }
                            fault.at();
                            cluster.rest().cancel(jobId);
                            while (!"CANCELED".equals(cluster.rest().jobState(jobId))) {
                                Thread.sleep(100);
                            }
                            JsonNode latest = cluster.rest().latestCheckpoint(jobId);
                            restored[0] =
                                    String.format(
                                            "checkpoint %d, %s, %,d bytes in flight",
                                            latest.path("id").asLong(),
                                            latest.path("checkpoint_type").asText(),
                                            latest.path("persisted_data").asLong());
                            jobId = submit(latest.path("external_path").asText(), 3);
                            while (!cluster.rest().allTasksRunning(jobId)) {
                                Thread.sleep(100);
                            }
                            fault.tasksRunningMs = System.currentTimeMillis() - fault.atMs;
                        });
        notes.add("Rescale phase restored from " + restored[0] + ".");
        phase.assertExactlyOnce();
    }

    @Test
    @Order(6)
    void drainsABurstUnderBackPressure() throws Exception {
        int requests = Integer.getInteger("burst.requests", 10_000);
        Phase phase =
                runPhase(
                        String.format("burst: %,d requests as fast as the producer can", requests),
                        requests,
                        1e6,
                        fault -> {});
        phase.assertExactlyOnce();
    }

    /**
     * What a fault step records: when it struck, memory of a process it is about to kill, and how
     * long until every task of the job ran again.
     */
    final class Fault {
        long atMs = -1;
        long killedHighWater = -1;
        long tasksRunningMs = -1;

        void at() {
            atMs = System.currentTimeMillis();
        }

        /**
         * Waits until the job shows the fault (it entered RESTARTING after the fault: Flink notices
         * a lost process within its heartbeat timeout; 30 s at most) and then until every task runs
         * again. The job's state timestamps are read rather than a task seen not RUNNING: the REST
         * API serves execution graphs cached for web.refresh-interval (3 s), and a restart faster
         * than that was missed (a clean-clone run, 2026-11-30).
         */
        void awaitTasksRunning() throws Exception {
            long noticeBy = System.currentTimeMillis() + 30_000;
            while (cluster.rest().enteredAt(jobId, "RESTARTING") < atMs) {
                if (System.currentTimeMillis() > noticeBy) {
                    tasksRunningMs = 0; // the job rode the fault out without a restart
                    return;
                }
                Thread.sleep(50);
            }
            while (!cluster.rest().allTasksRunning(jobId)) {
                Thread.sleep(100);
            }
            tasksRunningMs = System.currentTimeMillis() - atMs;
        }

        void memoryHighWater(long bytes) {
            killedHighWater = bytes;
        }
    }

    interface FaultStep {
        void inject(Fault fault) throws Exception;
    }

    /** One phase's counts. */
    final class Phase {
        final Set<String> ids;
        final Set<String> bad;
        int predictions;
        int deadLetters;
        int duplicates;
        int missing;
        long tasksRunningMs = -1;
        final String name;

        Phase(String name, Set<String> ids, Set<String> bad) {
            this.name = name;
            this.ids = ids;
            this.bad = bad;
        }

        void assertExactlyOnce() {
            assertEquals(0, missing, name + ": missing ids\n" + cluster.logs());
            assertEquals(0, duplicates, name + ": duplicated ids");
            assertEquals(bad.size(), deadLetters, name + ": dead letters");
            assertEquals(ids.size() - bad.size(), predictions, name + ": predictions");
        }
    }

    private Phase runPhase(String name, int count, double rate, FaultStep step) throws Exception {
        List<ScoringRequest> requests = new ArrayList<>();
        Set<String> ids = new LinkedHashSet<>();
        Set<String> bad = new LinkedHashSet<>();
        for (int i = 0; i < count; i++) {
            String id = String.format("req-%05d", nextId++);
            Path image = images.get(nextId % images.size());
            String uri = image.toUri().toString();
            if (nextId % BAD_EVERY == 0) {
                uri = image.resolveSibling("missing-" + id + ".png").toUri().toString();
                bad.add(id);
            }
            ids.add(id);
            requests.add(ScoringRequest.newBuilder().setRequestId(id).setUri(uri).build());
        }
        long replaysBefore = ledger.replays();
        Fault fault = new Fault();
        long tasksRunningMs = -1;
        ClusterSampler sampler = new ClusterSampler(cluster.rest(), () -> jobId);
        try (PacedProducer producer =
                new PacedProducer(broker.bootstrapServers(), INPUT, requests, rate)) {
            while (producer.sent() < count / 2) {
                Thread.sleep(50);
            }
            step.inject(fault);
            tasksRunningMs = fault.tasksRunningMs;
            assertEquals(count, producer.awaitDone(), "acknowledged: " + producer.failures());
        }
        boolean complete = ledger.awaitAll(ids, Duration.ofMinutes(5));
        sampler.close();

        Phase phase = new Phase(name, ids, bad);
        phase.tasksRunningMs = tasksRunningMs;
        Map<String, Long> counts = ledger.countsById();
        for (String id : ids) {
            long n = counts.getOrDefault(id, 0L);
            if (n == 0) {
                phase.missing++;
            } else if (n > 1) {
                phase.duplicates += (int) (n - 1);
            }
        }
        for (OutputLedger.Seen seen : ledger.seen()) {
            if (ids.contains(seen.requestId())) {
                if (seen.prediction()) {
                    phase.predictions++;
                } else {
                    phase.deadLetters++;
                }
            }
        }
        long highWater = fault.killedHighWater;
        for (ManagedProcess taskManager : cluster.taskManagers()) {
            if (taskManager.isAlive()) {
                highWater = Math.max(highWater, taskManager.residentHighWaterBytes());
            }
        }
        long stallMs = ledger.longestStallMs(ids);
        double outputRate = ledger.ratePerSecond(ids);
        table.add(
                String.format(
                        "| %s | %d | %d | %d | %d | %d | %s | %s | %.0f/s | %,d | %.0f ms/s | %d MiB | %d MiB |",
                        name,
                        ids.size(),
                        phase.predictions,
                        phase.deadLetters,
                        phase.duplicates,
                        phase.missing,
                        tasksRunningMs < 0
                                ? "-"
                                : tasksRunningMs == 0
                                        ? "no restart"
                                        : String.format("%.1f s", tasksRunningMs / 1e3),
                        String.format("%.1f s", stallMs / 1e3),
                        outputRate,
                        sampler.maxPendingRecords(),
                        sampler.maxSourceBackPressureMsPerSecond(),
                        sampler.maxHeapUsedBytes() >> 20,
                        highWater >> 20));
        long replays = ledger.replays() - replaysBefore;
        if (replays > 0) {
            notes.add(
                    String.format(
                            "%s: the reader read %d records again at offsets it had read"
                                    + " (its group rebalanced); counted once.",
                            name, replays));
        }
        assertTrue(complete || phase.missing > 0, "ledger incomplete without missing ids");
        return phase;
    }

    /** Sums a metric over every Prometheus endpoint of the cluster's processes. */
    private long scrapeSum(String metric, String label) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        Pattern line = Pattern.compile("^" + Pattern.quote(metric) + "\\{[^}]*\\} ([0-9.eE+-]+)$");
        double sum = 0;
        int endpoints = 0;
        for (int port = promPortBase; port <= promPortBase + 9; port++) {
            String body;
            try {
                body =
                        http.send(
                                        HttpRequest.newBuilder(
                                                        URI.create(
                                                                "http://localhost:"
                                                                        + port
                                                                        + "/metrics"))
                                                .timeout(Duration.ofSeconds(5))
                                                .build(),
                                        HttpResponse.BodyHandlers.ofString())
                                .body();
            } catch (IOException e) {
                continue;
            }
            endpoints++;
            if (body.contains("_inception_")) {
                Files.writeString(
                        Path.of("target", "prometheus-sample-" + port + ".txt"),
                        body.lines()
                                .filter(l -> l.contains("_inception_"))
                                .collect(Collectors.joining("\n")));
            }
            for (String text : body.split("\n")) {
                Matcher m = line.matcher(text);
                if (m.matches() && text.contains(label)) {
                    sum += Double.parseDouble(m.group(1));
                }
            }
        }
        assertTrue(endpoints >= 2, "Prometheus endpoints found: " + endpoints);
        return (long) sum;
    }
}
