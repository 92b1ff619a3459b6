package io.inceptionpipeline.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.inceptionpipeline.schemas.AvroCodec;
import io.inceptionpipeline.schemas.ScoringRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job against a broker that requires SASL/PLAIN over TLS (Kafka's own KRaft server, a
 * self-signed certificate made with the JDK's keytool): every Kafka client setting passes through
 * {@code --kafka-property}, the job scores with its credentials, and clients with a wrong password
 * or without SASL are refused.
 */
class SecuredKafkaITCase {

    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(4)
                            .build());

    @TempDir static Path work;
    static EmbeddedKafka kafka;
    static EmbeddedKafka.SaslSsl security;

    @BeforeAll
    static void start() throws Exception {
        Path tls = Files.createDirectories(work.resolve("tls"));
        Path keystore = tls.resolve("broker.p12");
        Path certificate = tls.resolve("broker.pem");
        String password = "store-secret";
        keytool(
                "-genkeypair",
                "-alias",
                "broker",
                "-keyalg",
                "RSA",
                "-keysize",
                "2048",
                "-validity",
                "2",
                "-dname",
                "CN=localhost",
                "-ext",
                "SAN=dns:localhost,ip:127.0.0.1",
                "-keystore",
                keystore.toString(),
                "-storetype",
                "PKCS12",
                "-storepass",
                password,
                "-keypass",
                password);
        keytool(
                "-exportcert",
                "-rfc",
                "-alias",
                "broker",
                "-keystore",
                keystore.toString(),
                "-storepass",
                password,
                "-file",
                certificate.toString());
        security =
                new EmbeddedKafka.SaslSsl(
                        keystore,
                        password,
                        certificate,
                        Map.of("admin", "admin-secret", "scorer", "scorer-secret"));
        kafka = EmbeddedKafka.start(work.resolve("kafka"), security);
    }

    @AfterAll
    static void stop() {
        if (kafka != null) {
            kafka.close();
        }
    }

    private static void keytool(String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
    }

    @Test
    void theJobScoresThroughSaslSslAndClientsWithoutCredentialsAreRefused() throws Exception {
        Map<String, String> scorer = security.clientProperties("scorer", "scorer-secret");
        String in = "secure-requests";
        String out = "secure-predictions";
        String dead = "secure-dead-letters";
        kafka.createTopics(2, in, out, dead);

        Path images = Path.of("../samples/fashion-mnist/images");
        List<byte[][]> messages = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            Path image = images.resolve(String.format("test-%05d.png", i)).toAbsolutePath();
            String id = "secure-" + i;
            messages.add(
                    new byte[][] {
                        id.getBytes(StandardCharsets.UTF_8),
                        AvroCodec.encode(
                                ScoringRequest.newBuilder()
                                        .setRequestId(id)
                                        .setUri(image.normalize().toUri().toString())
                                        .build())
                    });
        }
        KafkaTestClient.produce(kafka.bootstrapServers(), in, messages, scorer);

        JobOptions options =
                JobOptions.builder()
                        .bootstrapServers(kafka.bootstrapServers())
                        .kafkaProperties(scorer)
                        .topics(in, out, dead)
                        .startingOffsets("earliest")
                        .boundedInput(true)
                        .parallelism(2, 1)
                        .allowedRoots(List.of(images.toAbsolutePath().normalize().toString()))
                        .model("inception_resnet_fmnist", null)
                        .batching(4, 100)
                        .topK(3)
                        .embeddings(false)
                        .checkpointIntervalMs(1000)
                        .exactlyOnce(true)
                        .transactionalIdPrefix("secure-" + System.nanoTime())
                        .build();
        JobRun.toEnd(options, "secured-kafka");

        List<String> scored = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r :
                RunSummary.readAll(kafka.bootstrapServers(), out, scorer)) {
            scored.add(AvroCodec.decodePrediction(r.value()).getRequestId());
        }
        assertThat(scored).hasSize(12).doesNotHaveDuplicates();
        assertThat(RunSummary.readAll(kafka.bootstrapServers(), dead, scorer)).isEmpty();

        // a wrong password: the broker refuses the SASL handshake
        Map<String, String> wrong = new HashMap<>(security.clientProperties("scorer", "guess"));
        assertThatThrownBy(() -> listTopics(wrong))
                .hasRootCauseInstanceOf(SaslAuthenticationException.class);
        // TLS but no SASL: the broker never answers a request
        Map<String, String> noSasl =
                Map.of(
                        "security.protocol", "SSL",
                        "ssl.truststore.type", "PEM",
                        "ssl.truststore.location", security.certificate().toString());
        assertThatThrownBy(() -> listTopics(noSasl))
                .hasRootCauseInstanceOf(org.apache.kafka.common.errors.TimeoutException.class);
        // no TLS at all
        assertThatThrownBy(() -> listTopics(Map.of()))
                .hasRootCauseInstanceOf(org.apache.kafka.common.errors.TimeoutException.class);
    }

    private static List<String> listTopics(Map<String, String> clientProperties) throws Exception {
        Properties props = new Properties();
        props.put("bootstrap.servers", kafka.bootstrapServers());
        props.put("default.api.timeout.ms", "4000");
        props.put("request.timeout.ms", "3000");
        props.putAll(clientProperties);
        try (Admin admin = Admin.create(props)) {
            return new ArrayList<>(admin.listTopics().names().get(10, TimeUnit.SECONDS));
        }
    }
}
