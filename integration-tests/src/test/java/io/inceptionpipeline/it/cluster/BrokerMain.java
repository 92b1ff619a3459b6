package io.inceptionpipeline.it.cluster;

import io.inceptionpipeline.pipeline.EmbeddedKafka;
import java.nio.file.Path;
import java.util.Map;

/**
 * A Kafka broker as its own process: {@code BrokerMain <log dir> <port> <controller port>}. Prints
 * {@code READY <bootstrap servers>} when it serves clients; a restart on the same folder and ports
 * keeps topics, offsets and transactions.
 */
public final class BrokerMain {

    private BrokerMain() {}

    public static void main(String[] args) throws Exception {
        EmbeddedKafka kafka =
                EmbeddedKafka.start(
                        Path.of(args[0]),
                        Integer.parseInt(args[1]),
                        Integer.parseInt(args[2]),
                        Map.of());
        Runtime.getRuntime().addShutdownHook(new Thread(kafka::close));
        System.out.println("READY " + kafka.bootstrapServers());
        System.out.flush();
        Thread.currentThread().join();
    }
}
