package io.inceptionpipeline.it.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A Flink session cluster as separate JVMs, started from the Maven artifacts: one JobManager
 * ({@code StandaloneSessionClusterEntrypoint}) and TaskManagers ({@code TaskManagerRunner}), the
 * entry points Flink's own start scripts run. Jobs arrive as jars through the REST API ({@link
 * #rest()}).
 */
final class FlinkSessionCluster implements AutoCloseable {

    static final String JOB_MANAGER =
            "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint";
    static final String TASK_MANAGER = "org.apache.flink.runtime.taskexecutor.TaskManagerRunner";

    /** What Flink's config.yaml sets as env.java.default-opts.all for Java 17. */
    static final List<String> JAVA_17_OPENS =
            List.of(
                    "--add-exports=java.base/sun.net.util=ALL-UNNAMED",
                    "--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED",
                    "--add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED",
                    "--add-opens=java.base/java.lang=ALL-UNNAMED",
                    "--add-opens=java.base/java.net=ALL-UNNAMED",
                    "--add-opens=java.base/java.io=ALL-UNNAMED",
                    "--add-opens=java.base/java.nio=ALL-UNNAMED",
                    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
                    "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
                    "--add-opens=java.base/java.text=ALL-UNNAMED",
                    "--add-opens=java.base/java.time=ALL-UNNAMED",
                    "--add-opens=java.base/java.util=ALL-UNNAMED",
                    "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
                    "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
                    "--add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED");

    private final Path dir;
    private final Path confDir;
    private final String classpath;
    private final ManagedProcess jobManager;
    private final List<ManagedProcess> taskManagers = new ArrayList<>();
    private final FlinkRest rest;
    private int taskManagersStarted;

    private FlinkSessionCluster(
            Path dir, Path confDir, int restPort, String classpath, ManagedProcess jobManager) {
        this.dir = dir;
        this.confDir = confDir;
        this.classpath = classpath;
        this.jobManager = jobManager;
        this.rest = new FlinkRest("http://localhost:" + restPort);
    }

    /**
     * Writes {@code config.yaml} (the settings below, then {@code extra}) and starts the JobManager
     * and {@code taskManagers} TaskManagers with {@code slots} slots each.
     */
    static FlinkSessionCluster start(
            Path dir, int taskManagers, int slots, Map<String, String> extra) throws Exception {
        int restPort = KafkaBrokerProcess.freePort();
        Map<String, String> conf = new LinkedHashMap<>();
        conf.put("jobmanager.rpc.address", "localhost");
        conf.put("jobmanager.rpc.port", Integer.toString(KafkaBrokerProcess.freePort()));
        conf.put("jobmanager.bind-host", "localhost");
        conf.put("rest.address", "localhost");
        conf.put("rest.bind-address", "localhost");
        conf.put("rest.port", Integer.toString(restPort));
        // the job jar carries two engines' native libraries: about 200 MB
        conf.put("rest.server.max-content-length", Integer.toString(512 << 20));
        conf.put("web.upload.dir", dir.resolve("uploads").toString());
        conf.put("taskmanager.host", "localhost");
        conf.put("taskmanager.bind-host", "localhost");
        conf.put("taskmanager.numberOfTaskSlots", Integer.toString(slots));
        // TaskManagerRunner, started without Flink's scripts, needs every memory part spelt out
        conf.put("taskmanager.cpu.cores", Integer.toString(slots));
        conf.put("taskmanager.memory.framework.heap.size", "128m");
        conf.put("taskmanager.memory.task.heap.size", "512m");
        conf.put("taskmanager.memory.framework.off-heap.size", "128m");
        conf.put("taskmanager.memory.task.off-heap.size", "0m");
        conf.put("taskmanager.memory.network.min", "64m");
        conf.put("taskmanager.memory.network.max", "64m");
        conf.put("taskmanager.memory.managed.size", "32m");
        conf.put("taskmanager.memory.jvm-metaspace.size", "256m");
        conf.put("taskmanager.memory.jvm-overhead.min", "192m");
        conf.put("taskmanager.memory.jvm-overhead.max", "192m");
        conf.put("io.tmp.dirs", dir.resolve("tmp").toString());
        // a killed TaskManager is noticed in seconds, not the default 50 s
        conf.put("heartbeat.interval", "1000");
        conf.put("heartbeat.timeout", "5000");
        // spread a job's slots over the TaskManagers, as a production cluster would want
        conf.put("taskmanager.load-balance.mode", "SLOTS");
        // DJL's native engines load once per JVM: from the parent class loader, as
        // pipeline/pom.xml's
        // flink-lib/ puts them in a real cluster's lib/
        conf.put(
                "classloader.parent-first-patterns.additional",
                "ai.djl.;ai.onnxruntime.;com.sun.jna.");
        conf.put("execution.checkpointing.dir", dir.resolve("checkpoints").toUri().toString());
        conf.put(
                "execution.checkpointing.savepoint-dir",
                dir.resolve("savepoints").toUri().toString());
        conf.put(
                "metrics.reporter.prom.factory.class",
                "org.apache.flink.metrics.prometheus.PrometheusReporterFactory");
        conf.putAll(extra);

        String classpath = ProcessClasspath.flinkLib();
        Path confDir = dir.resolve("conf");
        Files.createDirectories(confDir);
        Files.createDirectories(dir.resolve("tmp"));
        Files.writeString(
                confDir.resolve("config.yaml"),
                conf.entrySet().stream()
                        .map(e -> e.getKey() + ": \"" + e.getValue() + "\"")
                        .collect(Collectors.joining("\n", "", "\n")));

        ManagedProcess jobManager =
                ManagedProcess.start(
                        "jobmanager",
                        dir.resolve("logs"),
                        classpath,
                        jvmOptions(List.of("-Xmx512m")),
                        JOB_MANAGER,
                        List.of("--configDir", confDir.toString()),
                        Map.of());
        FlinkSessionCluster cluster =
                new FlinkSessionCluster(dir, confDir, restPort, classpath, jobManager);
        try {
            cluster.rest.awaitUp(Duration.ofSeconds(120), jobManager);
            for (int i = 0; i < taskManagers; i++) {
                cluster.startTaskManager();
            }
        } catch (Exception e) {
            cluster.close();
            throw e;
        }
        return cluster;
    }

    /** Starts one more TaskManager and waits until the JobManager counts it. */
    ManagedProcess startTaskManager() throws Exception {
        ManagedProcess taskManager =
                ManagedProcess.start(
                        "taskmanager-" + (++taskManagersStarted),
                        dir.resolve("logs"),
                        classpath,
                        // heap: framework + task heap; direct: off-heap + network
                        jvmOptions(
                                List.of(
                                        "-Xmx640m",
                                        "-Xms640m",
                                        "-XX:MaxDirectMemorySize=192m",
                                        "-XX:MaxMetaspaceSize=256m")),
                        TASK_MANAGER,
                        List.of("--configDir", confDir.toString()),
                        // two TaskManagers share this machine's cores: one OpenMP thread each
                        Map.of("OMP_NUM_THREADS", "1", "OMP_WAIT_POLICY", "PASSIVE"));
        taskManagers.add(taskManager);
        taskManager.awaitLog(
                "Successful registration at resource manager", Duration.ofSeconds(120));
        return taskManager;
    }

    private static List<String> jvmOptions(List<String> memory) {
        List<String> options = new ArrayList<>(memory);
        options.addAll(JAVA_17_OPENS);
        return options;
    }

    List<ManagedProcess> taskManagers() {
        return List.copyOf(taskManagers);
    }

    /** A live TaskManager that holds at least one slot of a running job. */
    ManagedProcess busyTaskManager() throws Exception {
        for (ManagedProcess taskManager : taskManagers) {
            if (!taskManager.isAlive()) {
                continue;
            }
            Matcher id =
                    Pattern.compile("Starting TaskManager with ResourceID: (\\S+)")
                            .matcher(Files.readString(taskManager.log()));
            if (id.find()) {
                JsonNode info = rest.get("/taskmanagers/" + id.group(1));
                if (info.path("slotsNumber").asInt() > info.path("freeSlots").asInt()) {
                    return taskManager;
                }
            }
        }
        throw new IllegalStateException("no TaskManager runs a task; logs:\n" + logs());
    }

    ManagedProcess jobManager() {
        return jobManager;
    }

    FlinkRest rest() {
        return rest;
    }

    Path dir() {
        return dir;
    }

    /** Every log of the cluster's processes, for a failing test's message. */
    String logs() {
        StringBuilder text = new StringBuilder();
        text.append("=== jobmanager ===\n").append(jobManager.tail());
        for (ManagedProcess taskManager : taskManagers) {
            text.append("\n=== ").append(taskManager.name()).append(" ===\n");
            text.append(taskManager.tail());
        }
        return text.toString();
    }

    @Override
    public void close() throws InterruptedException {
        for (ManagedProcess taskManager : taskManagers) {
            taskManager.close();
        }
        jobManager.close();
    }
}
