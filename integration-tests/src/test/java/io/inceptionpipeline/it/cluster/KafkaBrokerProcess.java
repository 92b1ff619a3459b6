package io.inceptionpipeline.it.cluster;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** Kafka's own KRaft broker in a process of its own, so a test can kill -9 and restart it. */
final class KafkaBrokerProcess implements AutoCloseable {

    private final Path dir;
    private final int port;
    private final int controllerPort;
    private ManagedProcess process;
    private int starts;

    private KafkaBrokerProcess(Path dir, int port, int controllerPort) {
        this.dir = dir;
        this.port = port;
        this.controllerPort = controllerPort;
    }

    static KafkaBrokerProcess start(Path dir) throws Exception {
        KafkaBrokerProcess broker = new KafkaBrokerProcess(dir, freePort(), freePort());
        broker.startProcess();
        return broker;
    }

    private void startProcess() throws Exception {
        starts++;
        process =
                ManagedProcess.start(
                        "kafka-" + starts,
                        dir.resolve("logs"),
                        ProcessClasspath.full(),
                        List.of("-Xmx768m"),
                        BrokerMain.class.getName(),
                        List.of(
                                dir.resolve("data").toString(),
                                Integer.toString(port),
                                Integer.toString(controllerPort)),
                        Map.of());
        process.awaitLog("READY ", Duration.ofSeconds(120));
    }

    String bootstrapServers() {
        return "localhost:" + port;
    }

    /** kill -9, then a new broker process on the same data folder and ports. */
    void killAndRestart(Duration down) throws Exception {
        process.kill();
        Thread.sleep(down.toMillis());
        startProcess();
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null) {
            process.close();
        }
    }
}
