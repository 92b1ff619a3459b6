package io.inceptionpipeline.it.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * Polls the cluster's REST API twice a second while a phase runs: the highest heap use of any
 * TaskManager and the highest back-pressure of the job's source (ms per second it was blocked by
 * the operators after it).
 */
final class ClusterSampler implements AutoCloseable {

    private final FlinkRest rest;
    private final Supplier<String> jobId;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread thread;
    private volatile long maxHeapUsed;
    private volatile double maxSourceBackPressure;
    private volatile long maxPendingRecords;

    ClusterSampler(FlinkRest rest, Supplier<String> jobId) {
        this.rest = rest;
        this.jobId = jobId;
        thread = new Thread(this::run, "cluster-sampler");
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        while (running.get()) {
            try {
                sample();
            } catch (Exception e) {
                // the cluster is mid-fault: try again next round
            }
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void sample() throws Exception {
        for (JsonNode taskManager : rest.get("/taskmanagers").path("taskmanagers")) {
            JsonNode metrics =
                    rest.get(
                            "/taskmanagers/"
                                    + taskManager.path("id").asText()
                                    + "/metrics?get=Status.JVM.Memory.Heap.Used");
            for (JsonNode metric : metrics) {
                maxHeapUsed = Math.max(maxHeapUsed, metric.path("value").asLong());
            }
        }
        String job = jobId.get();
        JsonNode source = rest.get("/jobs/" + job).path("vertices").path(0);
        String metrics =
                "/jobs/" + job + "/vertices/" + source.path("id").asText() + "/subtasks/metrics";
        // the source operator's metrics are named <operator>.<metric> at the vertex level
        String wanted = "backPressuredTimeMsPerSecond";
        for (JsonNode available : rest.get(metrics)) {
            if (available.path("id").asText().endsWith(".pendingRecords")) {
                wanted += "," + available.path("id").asText();
            }
        }
        JsonNode pressure = rest.get(metrics + "?get=" + wanted + "&agg=max,sum");
        for (JsonNode metric : pressure) {
            if (metric.path("id").asText().endsWith("pendingRecords")) {
                maxPendingRecords = Math.max(maxPendingRecords, metric.path("sum").asLong());
            } else {
                maxSourceBackPressure =
                        Math.max(maxSourceBackPressure, metric.path("max").asDouble());
            }
        }
    }

    /**
     * The most requests the source saw waiting in Kafka (its consumer lag), summed over readers.
     */
    long maxPendingRecords() {
        return maxPendingRecords;
    }

    long maxHeapUsedBytes() {
        return maxHeapUsed;
    }

    double maxSourceBackPressureMsPerSecond() {
        return maxSourceBackPressure;
    }

    @Override
    public void close() throws InterruptedException {
        running.set(false);
        thread.join(5_000);
    }
}
