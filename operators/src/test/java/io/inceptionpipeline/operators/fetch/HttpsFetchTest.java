package io.inceptionpipeline.operators.fetch;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsExchange;
import com.sun.net.httpserver.HttpsServer;
import io.inceptionpipeline.schemas.ErrorCode;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTPS against a real local TLS server whose certificate (made at test time with the JDK's
 * keytool) names {@code images.test}; the test's {@link HostResolver} maps names to loopback. The
 * client trusts that certificate through an {@link SSLContext} given to the fetcher, a seam for
 * tests only: the job trusts the JVM's default CAs.
 */
class HttpsFetchTest {

    static final String PASSWORD = "test-only";
    static final byte[] IMAGE = new byte[3000];
    static HttpsServer server;
    static int port;
    static SSLContext clientTls;
    static final AtomicInteger requests = new AtomicInteger();
    static final List<String> serverNames = new CopyOnWriteArrayList<>();

    @TempDir static Path dir;

    @BeforeAll
    static void startTlsServer() throws Exception {
        Path keystore = dir.resolve("server.p12");
        Process keytool =
                new ProcessBuilder(
                                Path.of(System.getProperty("java.home"), "bin", "keytool")
                                        .toString(),
                                "-genkeypair",
                                "-alias",
                                "images",
                                "-keyalg",
                                "EC",
                                "-groupname",
                                "secp256r1",
                                "-dname",
                                "CN=images.test",
                                "-ext",
                                "SAN=dns:images.test",
                                "-validity",
                                "2",
                                "-storetype",
                                "PKCS12",
                                "-keystore",
                                keystore.toString(),
                                "-storepass",
                                PASSWORD,
                                "-keypass",
                                PASSWORD)
                        .redirectErrorStream(true)
                        .start();
        String log = new String(keytool.getInputStream().readAllBytes());
        assertThat(keytool.waitFor()).as(log).isZero();

        KeyStore serverKeys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            serverKeys.load(in, PASSWORD.toCharArray());
        }
        KeyManagerFactory keys =
                KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(serverKeys, PASSWORD.toCharArray());
        SSLContext serverTls = SSLContext.getInstance("TLS");
        serverTls.init(keys.getKeyManagers(), null, null);

        Certificate certificate = serverKeys.getCertificate("images");
        KeyStore trusted = KeyStore.getInstance("PKCS12");
        trusted.load(null, null);
        trusted.setCertificateEntry("images", certificate);
        TrustManagerFactory trust =
                TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(trusted);
        clientTls = SSLContext.getInstance("TLS");
        clientTls.init(null, trust.getTrustManagers(), null);

        server =
                HttpsServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(serverTls));
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext(
                "/image.jpg",
                ex -> {
                    requests.incrementAndGet();
                    ((ExtendedSSLSession) ((HttpsExchange) ex).getSSLSession())
                            .getRequestedServerNames()
                            .forEach(n -> serverNames.add(((SNIHostName) n).getAsciiName()));
                    ex.sendResponseHeaders(200, IMAGE.length);
                    try (OutputStream out = ex.getResponseBody()) {
                        out.write(IMAGE);
                    }
                });
        server.createContext(
                "/to-inner",
                ex -> {
                    requests.incrementAndGet();
                    ex.getResponseHeaders()
                            .add("Location", "https://inner.test:" + port + "/image.jpg");
                    ex.sendResponseHeaders(302, -1);
                    ex.close();
                });
        server.start();
        port = server.getAddress().getPort();
    }

    @AfterAll
    static void stop() {
        server.stop(0);
    }

    @BeforeEach
    void reset() {
        requests.set(0);
        serverNames.clear();
    }

    /** Maps each name to its addresses, and counts lookups. */
    static final class MapResolver implements HostResolver {
        final Map<String, List<String>> answers;
        final AtomicInteger lookups = new AtomicInteger();

        MapResolver(Map<String, List<String>> answers) {
            this.answers = answers;
        }

        @Override
        public InetAddress[] resolve(String host) throws UnknownHostException {
            int call = lookups.getAndIncrement();
            List<String> answer = answers.get(host);
            if (answer == null) {
                throw new UnknownHostException(host);
            }
            // a rebinding name answers differently on each lookup
            return new InetAddress[] {
                InetAddress.getByName(answer.get(Math.min(call, answer.size() - 1)))
            };
        }
    }

    private static ImageFetcher fetcher(HostResolver resolver, String... allowed) {
        return new ImageFetcher(
                FetchConfig.defaults()
                        .withAllowedHosts(List.of(allowed))
                        .withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(5)),
                resolver,
                clientTls);
    }

    private static FetchException failure(ImageFetcher fetcher, String uri) throws Exception {
        try {
            fetcher.fetch(uri).get(20, TimeUnit.SECONDS);
            throw new AssertionError("expected " + uri + " to fail");
        } catch (ExecutionException e) {
            return FetchException.of(e);
        }
    }

    @Test
    void fetchesFromAnAllowlistedHostWithSniAndAVerifiedCertificate() throws Exception {
        MapResolver resolver = new MapResolver(Map.of("images.test", List.of("127.0.0.1")));
        try (ImageFetcher fetcher = fetcher(resolver, "127.0.0.1:" + port)) {
            byte[] bytes =
                    fetcher.fetch("https://images.test:" + port + "/image.jpg")
                            .get(20, TimeUnit.SECONDS);
            assertThat(bytes).hasSize(IMAGE.length);
        }
        assertThat(serverNames).containsExactly("images.test");
        assertThat(resolver.lookups).hasValue(1);
    }

    @Test
    void refusesANameThatResolvesToABlockedAddressBeforeConnecting() throws Exception {
        MapResolver resolver = new MapResolver(Map.of("images.test", List.of("127.0.0.1")));
        try (ImageFetcher fetcher = fetcher(resolver)) {
            FetchException e = failure(fetcher, "https://images.test:" + port + "/image.jpg");
            assertThat(e.code()).isEqualTo(ErrorCode.HOST_NOT_ALLOWED);
            assertThat(e.getMessage()).contains("127.0.0.1");
        }
        try (ImageFetcher otherPort = fetcher(resolver, "127.0.0.1:" + (port == 1 ? 2 : 1))) {
            assertThat(failure(otherPort, "https://images.test:" + port + "/image.jpg").code())
                    .isEqualTo(ErrorCode.HOST_NOT_ALLOWED);
        }
        assertThat(requests).hasValue(0);
    }

    @Test
    void connectsOnlyToTheAddressItVettedWhenTheNameRebinds() throws Exception {
        // first answer: an allowed address where nothing listens; any later one: the server
        MapResolver rebinding =
                new MapResolver(Map.of("images.test", List.of("127.0.0.2", "127.0.0.1")));
        try (ImageFetcher fetcher = fetcher(rebinding, "127.0.0.2")) {
            FetchException e = failure(fetcher, "https://images.test:" + port + "/image.jpg");
            assertThat(e.code()).isEqualTo(ErrorCode.FETCH_IO_ERROR);
        }
        assertThat(rebinding.lookups).hasValue(1);
        assertThat(requests).hasValue(0);
    }

    @Test
    void refusesACertificateForAnotherName() throws Exception {
        MapResolver resolver = new MapResolver(Map.of("other.test", List.of("127.0.0.1")));
        try (ImageFetcher fetcher = fetcher(resolver, "127.0.0.1:" + port)) {
            FetchException e = failure(fetcher, "https://other.test:" + port + "/image.jpg");
            assertThat(e.code()).isEqualTo(ErrorCode.FETCH_IO_ERROR);
            assertThat(e.getMessage()).containsIgnoringCase("TLS");
        }
        assertThat(requests).hasValue(0);
    }

    @Test
    void vetsEveryRedirectHopAgain() throws Exception {
        MapResolver resolver =
                new MapResolver(
                        Map.of(
                                "images.test", List.of("127.0.0.1"),
                                "inner.test", List.of("127.0.0.1")));
        // images.test is trusted by name on this port; inner.test, the same server, is not
        try (ImageFetcher fetcher = fetcher(resolver, "images.test:" + port)) {
            FetchException e = failure(fetcher, "https://images.test:" + port + "/to-inner");
            assertThat(e.code()).isEqualTo(ErrorCode.HOST_NOT_ALLOWED);
            assertThat(e.getMessage()).contains("inner.test");
        }
        assertThat(requests).hasValue(1); // the redirect only
    }

    @Test
    void changesNoJvmWideSetting() {
        try (ImageFetcher fetcher = new ImageFetcher(FetchConfig.defaults())) {
            assertThat(System.getProperty("jdk.httpclient.allowRestrictedHeaders")).isNull();
        }
    }
}
