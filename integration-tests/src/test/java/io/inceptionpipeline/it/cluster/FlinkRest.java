package io.inceptionpipeline.it.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.UUID;

/** The few calls of Flink's REST API the tests make, as a user's tooling makes them. */
final class FlinkRest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String base;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    FlinkRest(String base) {
        this.base = base;
    }

    void awaitUp(Duration timeout, ManagedProcess jobManager) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                get("/overview");
                return;
            } catch (IOException e) {
                if (!jobManager.isAlive() || System.nanoTime() > deadline) {
                    throw new IllegalStateException(
                            "JobManager REST did not come up; log:\n" + jobManager.tail(), e);
                }
                Thread.sleep(250);
            }
        }
    }

    int taskManagerCount() throws Exception {
        return get("/taskmanagers").path("taskmanagers").size();
    }

    /** {@code POST /jars/upload}: returns the jar id. */
    String uploadJar(Path jar) throws Exception {
        String boundary = "----inception" + UUID.randomUUID();
        byte[] head =
                ("--"
                                + boundary
                                + "\r\nContent-Disposition: form-data; name=\"jarfile\"; filename=\""
                                + jar.getFileName()
                                + "\"\r\nContent-Type: application/x-java-archive\r\n\r\n")
                        .getBytes(StandardCharsets.UTF_8);
        byte[] tail = ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8);
        long length = head.length + Files.size(jar) + tail.length;
        HttpRequest request =
                HttpRequest.newBuilder(URI.create(base + "/jars/upload"))
                        .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                        .timeout(Duration.ofMinutes(5))
                        .POST(
                                HttpRequest.BodyPublishers.fromPublisher(
                                        HttpRequest.BodyPublishers.ofInputStream(
                                                () -> concat(head, jar, tail)),
                                        length))
                        .build();
        JsonNode response = send(request);
        String filename = response.path("filename").asText();
        if (filename.isEmpty()) {
            throw new IOException("upload failed: " + response);
        }
        return Path.of(filename).getFileName().toString();
    }

    private static InputStream concat(byte[] head, Path jar, byte[] tail) {
        try {
            return new SequenceInputStream(
                    Collections.enumeration(
                            List.of(
                                    new ByteArrayInputStream(head),
                                    Files.newInputStream(jar),
                                    new ByteArrayInputStream(tail))));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code POST /jars/:id/run}: returns the job id. */
    String runJar(String jarId, String entryClass, List<String> args, String savepointPath)
            throws Exception {
        ObjectNode body = JSON.createObjectNode();
        body.put("entryClass", entryClass);
        args.forEach(body.putArray("programArgsList")::add);
        if (savepointPath != null) {
            body.put("savepointPath", savepointPath);
        }
        JsonNode response = post("/jars/" + jarId + "/run", body, Duration.ofMinutes(3));
        String jobId = response.path("jobid").asText();
        if (jobId.isEmpty()) {
            throw new IOException("job submission failed: " + response);
        }
        return jobId;
    }

    String jobState(String jobId) throws Exception {
        return get("/jobs/" + jobId).path("state").asText();
    }

    /** True when the job is RUNNING and so is every task of every vertex. */
    /**
     * When the job last entered {@code state} (epoch ms, the JobManager's clock: this machine's),
     * or 0 if never: {@code timestamps} of {@code GET /jobs/:id}.
     */
    long enteredAt(String jobId, String state) throws Exception {
        return get("/jobs/" + jobId).path("timestamps").path(state).asLong(0);
    }

    boolean allTasksRunning(String jobId) throws Exception {
        JsonNode job = get("/jobs/" + jobId);
        if (!"RUNNING".equals(job.path("state").asText())) {
            return false;
        }
        for (JsonNode vertex : job.path("vertices")) {
            JsonNode tasks = vertex.path("tasks");
            int running = tasks.path("RUNNING").asInt();
            if (running != vertex.path("parallelism").asInt()) {
                return false;
            }
        }
        return true;
    }

    /** Stops the job with a savepoint ({@code POST /jobs/:id/stop}); returns its location. */
    String stopWithSavepoint(String jobId, Path directory, Duration timeout) throws Exception {
        ObjectNode body = JSON.createObjectNode();
        body.put("drain", false);
        body.put("targetDirectory", directory.toUri().toString());
        String trigger =
                post("/jobs/" + jobId + "/stop", body, Duration.ofSeconds(30))
                        .path("request-id")
                        .asText();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode status = get("/jobs/" + jobId + "/savepoints/" + trigger);
            if ("COMPLETED".equals(status.path("status").path("id").asText())) {
                JsonNode operation = status.path("operation");
                if (operation.has("failure-cause")) {
                    throw new IOException("savepoint failed: " + operation.path("failure-cause"));
                }
                return operation.path("location").asText();
            }
            Thread.sleep(250);
        }
        throw new IOException("savepoint of " + jobId + " did not complete in " + timeout);
    }

    /**
     * The job's latest completed checkpoint as Flink's REST API reports it ({@code id}, {@code
     * external_path}, {@code checkpoint_type}, {@code persisted_data}: bytes of records in flight);
     * an empty node while there is none.
     */
    JsonNode latestCheckpoint(String jobId) throws Exception {
        return get("/jobs/" + jobId + "/checkpoints").path("latest").path("completed");
    }

    void cancel(String jobId) throws Exception {
        send(
                HttpRequest.newBuilder(URI.create(base + "/jobs/" + jobId + "?mode=cancel"))
                        .method("PATCH", HttpRequest.BodyPublishers.noBody())
                        .timeout(Duration.ofSeconds(30))
                        .build());
    }

    JsonNode get(String path) throws Exception {
        return send(
                HttpRequest.newBuilder(URI.create(base + path))
                        .timeout(Duration.ofSeconds(10))
                        .GET()
                        .build());
    }

    private JsonNode post(String path, JsonNode body, Duration timeout) throws Exception {
        return send(
                HttpRequest.newBuilder(URI.create(base + path))
                        .header("Content-Type", "application/json")
                        .timeout(timeout)
                        .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)))
                        .build());
    }

    private JsonNode send(HttpRequest request) throws Exception {
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() >= 300) {
            throw new IOException(
                    request.method()
                            + " "
                            + request.uri()
                            + " -> "
                            + response.statusCode()
                            + ": "
                            + response.body());
        }
        return response.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(response.body());
    }
}
