package io.inceptionpipeline.pipeline;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.Feature;
import org.apache.kafka.server.common.MetadataVersion;

/**
 * A real single-node Kafka broker, Kafka's own KRaft server (broker and controller in one process),
 * in this JVM on loopback: the broker of {@code local} and of the integration tests.
 *
 * <pre>{@code
 * try (EmbeddedKafka kafka = EmbeddedKafka.start(dir)) {
 *     kafka.createTopics(2, "requests", "predictions");
 *     String bootstrap = kafka.bootstrapServers();
 * }
 * }</pre>
 */
public final class EmbeddedKafka implements AutoCloseable {

    /** The broker's message limit unless {@link #sizedFor} raises it. */
    static final int DEFAULT_MESSAGE_MAX_BYTES = 16 << 20;

    /**
     * A broker that requires SASL/PLAIN over TLS from every client (and from itself, between
     * brokers); only the controller quorum listener stays plain, on loopback.
     *
     * @param keystore PKCS12 keystore holding the broker's key and certificate (for localhost)
     * @param keystorePassword its password (also the key's)
     * @param certificate the broker's certificate as PEM, the trust anchor clients need
     * @param users user name → password; must contain {@code admin}, the broker's own user
     */
    public record SaslSsl(
            Path keystore, String keystorePassword, Path certificate, Map<String, String> users) {
        public SaslSsl {
            users = Map.copyOf(users);
            if (!users.containsKey("admin")) {
                throw new IllegalArgumentException("users must contain 'admin', the broker's own");
            }
        }

        /** Kafka client settings to connect as {@code user} with {@code password}. */
        public Map<String, String> clientProperties(String user, String password) {
            return Map.of(
                    "security.protocol", "SASL_SSL",
                    "sasl.mechanism", "PLAIN",
                    "sasl.jaas.config", plainLogin(user, password, Map.of()),
                    "ssl.truststore.type", "PEM",
                    "ssl.truststore.location", certificate.toString());
        }
    }

    private final KafkaRaftServer server;
    private final String bootstrapServers;
    private final Path logDir;
    private final Map<String, String> adminProperties;
    private final AtomicBoolean closed = new AtomicBoolean();

    private EmbeddedKafka(
            KafkaRaftServer server,
            String bootstrapServers,
            Path logDir,
            Map<String, String> adminProperties) {
        this.server = server;
        this.bootstrapServers = bootstrapServers;
        this.logDir = logDir;
        this.adminProperties = adminProperties;
    }

    /**
     * Formats {@code logDir} (which must be empty or absent) and starts the broker on free ports.
     */
    public static EmbeddedKafka start(Path logDir) throws Exception {
        return start(logDir, Map.of());
    }

    /** As {@link #start(Path)}, with extra broker settings. */
    public static EmbeddedKafka start(Path logDir, Map<String, String> overrides) throws Exception {
        return start(logDir, overrides, null);
    }

    /**
     * Starts the broker on the given ports, formatting {@code logDir} only if it is not formatted
     * yet: a broker restarted this way keeps its topics, offsets and transactions.
     */
    public static EmbeddedKafka start(
            Path logDir, int brokerPort, int controllerPort, Map<String, String> overrides)
            throws Exception {
        return start(logDir, brokerPort, controllerPort, overrides, null);
    }

    /** As {@link #start(Path)}, requiring SASL/PLAIN over TLS from clients. */
    public static EmbeddedKafka start(Path logDir, SaslSsl security) throws Exception {
        return start(logDir, Map.of(), security);
    }

    private static EmbeddedKafka start(Path logDir, Map<String, String> overrides, SaslSsl security)
            throws Exception {
        return start(logDir, freePort(), freePort(), overrides, security);
    }

    private static EmbeddedKafka start(
            Path logDir,
            int brokerPort,
            int controllerPort,
            Map<String, String> overrides,
            SaslSsl security)
            throws Exception {
        Files.createDirectories(logDir);
        String protocol = security == null ? "PLAINTEXT" : "SASL_SSL";
        Properties props = new Properties();
        props.put("process.roles", "broker,controller");
        props.put("node.id", "1");
        props.put("controller.quorum.voters", "1@localhost:" + controllerPort);
        props.put(
                "listeners",
                protocol
                        + "://localhost:"
                        + brokerPort
                        + ",CONTROLLER://localhost:"
                        + controllerPort);
        props.put("advertised.listeners", protocol + "://localhost:" + brokerPort);
        props.put("controller.listener.names", "CONTROLLER");
        props.put("inter.broker.listener.name", protocol);
        props.put(
                "listener.security.protocol.map",
                protocol + ":" + protocol + ",CONTROLLER:PLAINTEXT");
        Map<String, String> adminProperties = Map.of();
        if (security != null) {
            String password = security.users().get("admin");
            props.put("sasl.enabled.mechanisms", "PLAIN");
            props.put("sasl.mechanism.inter.broker.protocol", "PLAIN");
            props.put(
                    "listener.name.sasl_ssl.plain.sasl.jaas.config",
                    plainLogin("admin", password, security.users()));
            props.put("ssl.keystore.type", "PKCS12");
            props.put("ssl.keystore.location", security.keystore().toString());
            props.put("ssl.keystore.password", security.keystorePassword());
            props.put("ssl.key.password", security.keystorePassword());
            // the broker is its own inter-broker client: it must trust its certificate too
            props.put("ssl.truststore.type", "PEM");
            props.put("ssl.truststore.location", security.certificate().toString());
            adminProperties = security.clientProperties("admin", password);
        }
        props.put("log.dirs", logDir.toString());
        props.put("offsets.topic.replication.factor", "1");
        props.put("offsets.topic.num.partitions", "4");
        props.put("transaction.state.log.replication.factor", "1");
        props.put("transaction.state.log.min.isr", "1");
        props.put("transaction.state.log.num.partitions", "4");
        props.put("share.coordinator.state.topic.replication.factor", "1");
        props.put("share.coordinator.state.topic.min.isr", "1");
        props.put("group.initial.rebalance.delay.ms", "0");
        props.put("auto.create.topics.enable", "false");
        props.put("message.max.bytes", Integer.toString(DEFAULT_MESSAGE_MAX_BYTES));
        props.putAll(overrides);
        KafkaConfig config = KafkaConfig.fromProps(props, false);

        if (!Files.exists(logDir.resolve("meta.properties"))) {
            format(logDir);
        }

        KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
        server.startup();
        EmbeddedKafka kafka =
                new EmbeddedKafka(server, "localhost:" + brokerPort, logDir, adminProperties);
        kafka.awaitReady();
        return kafka;
    }

    private static void format(Path logDir) throws Exception {
        new Formatter()
                .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                .setNodeId(1)
                .setClusterId(Uuid.randomUuid().toString())
                .setDirectories(List.of(logDir.toString()))
                .setMetadataLogDirectory(logDir.toString())
                .setControllerListenerName("CONTROLLER")
                .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
                .setSupportedFeatures(Feature.PRODUCTION_FEATURES)
                .run();
    }

    private void awaitReady() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        Exception last = null;
        while (System.nanoTime() < deadline) {
            try (Admin admin = admin()) {
                if (!admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).isEmpty()) {
                    return;
                }
            } catch (Exception e) {
                last = e;
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("Embedded Kafka did not become ready in 60 s", last);
    }

    private Admin admin() {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.putAll(adminProperties);
        return Admin.create(props);
    }

    /** A JAAS line for PLAIN: the login as {@code user}, and on a broker the accepted users. */
    private static String plainLogin(String user, String password, Map<String, String> users) {
        StringBuilder jaas =
                new StringBuilder(
                                "org.apache.kafka.common.security.plain.PlainLoginModule required")
                        .append(" username=\"")
                        .append(user)
                        .append("\" password=\"")
                        .append(password)
                        .append('"');
        users.forEach(
                (name, secret) ->
                        jaas.append(" user_")
                                .append(name)
                                .append("=\"")
                                .append(secret)
                                .append('"'));
        return jaas.append(';').toString();
    }

    /**
     * Room for one request message around an image of {@code maxImageBytes}: the Avro envelope,
     * request id, URI (at most 8 KiB as plain text) and attributes fit in the 1 MiB added.
     */
    public static int maxMessageBytes(long maxImageBytes) {
        long bytes = maxImageBytes + (1L << 20);
        if (maxImageBytes <= 0 || bytes > Integer.MAX_VALUE - (1 << 20)) {
            throw new IllegalArgumentException(
                    "An image cap of " + maxImageBytes + " bytes does not fit a Kafka message");
        }
        return (int) bytes;
    }

    /**
     * Broker settings that accept a request carrying an inline image of {@code maxImageBytes} (the
     * job's {@code --max-image-bytes}): the broker's message and socket request limits.
     */
    public static Map<String, String> sizedFor(long maxImageBytes) {
        int message = maxMessageBytes(maxImageBytes);
        return Map.of(
                "message.max.bytes",
                Integer.toString(Math.max(message, DEFAULT_MESSAGE_MAX_BYTES)),
                "replica.fetch.max.bytes",
                Integer.toString(Math.max(message, DEFAULT_MESSAGE_MAX_BYTES)),
                "socket.request.max.bytes",
                Integer.toString(Math.max(message + (1 << 20), 100 << 20)));
    }

    /** Creates topics with {@code partitions} partitions each, replication factor 1. */
    public void createTopics(int partitions, String... topics) throws Exception {
        createTopics(partitions, Map.of(), topics);
    }

    /** As {@link #createTopics(int, String...)}, with topic settings such as max.message.bytes. */
    public void createTopics(int partitions, Map<String, String> configs, String... topics)
            throws Exception {
        List<NewTopic> newTopics = new ArrayList<>();
        for (String topic : topics) {
            newTopics.add(new NewTopic(topic, partitions, (short) 1).configs(configs));
        }
        try (Admin admin = admin()) {
            admin.createTopics(newTopics).all().get(60, TimeUnit.SECONDS);
        }
    }

    /** {@code host:port} of the broker's client listener (plain text, or SASL_SSL if secured). */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    public Path logDir() {
        return logDir;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        }
    }

    /** Stops the broker; further calls do nothing. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            server.shutdown();
            server.awaitShutdown();
        }
    }
}
