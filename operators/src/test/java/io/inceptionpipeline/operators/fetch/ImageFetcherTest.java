package io.inceptionpipeline.operators.fetch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.inceptionpipeline.schemas.ErrorCode;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Fetching against a real HTTP server on loopback (allow-listed for the test) and real files. */
class ImageFetcherTest {

    static HttpServer server;
    static String base;
    static final byte[] IMAGE = new byte[5000];

    @TempDir Path dir;

    @BeforeAll
    static void startServer() throws Exception {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext(
                "/image.jpg",
                ex -> {
                    ex.sendResponseHeaders(200, IMAGE.length);
                    try (OutputStream out = ex.getResponseBody()) {
                        out.write(IMAGE);
                    }
                });
        server.createContext(
                "/missing.jpg",
                ex -> {
                    ex.sendResponseHeaders(404, -1);
                    ex.close();
                });
        server.createContext(
                "/broken.jpg",
                ex -> {
                    ex.sendResponseHeaders(500, -1);
                    ex.close();
                });
        server.createContext(
                "/redirect",
                ex -> {
                    ex.getResponseHeaders().add("Location", "/image.jpg");
                    ex.sendResponseHeaders(302, -1);
                    ex.close();
                });
        server.createContext(
                "/loop",
                ex -> {
                    ex.getResponseHeaders().add("Location", "/loop");
                    ex.sendResponseHeaders(302, -1);
                    ex.close();
                });
        server.createContext(
                "/to-metadata",
                ex -> {
                    ex.getResponseHeaders()
                            .add("Location", "http://169.254.169.254/latest/meta-data/");
                    ex.sendResponseHeaders(301, -1);
                    ex.close();
                });
        server.createContext(
                "/huge-declared",
                ex -> {
                    ex.sendResponseHeaders(200, 10_000_000);
                    ex.close();
                });
        server.createContext(
                "/huge-chunked",
                ex -> {
                    ex.sendResponseHeaders(200, 0); // chunked: no length up front
                    try (OutputStream out = ex.getResponseBody()) {
                        for (int i = 0; i < 100; i++) {
                            out.write(new byte[10_000]);
                        }
                    } catch (Exception e) {
                        // the client hung up: expected
                    }
                });
        server.createContext(
                "/trickle",
                ex -> {
                    ex.sendResponseHeaders(200, 1000);
                    try (OutputStream out = ex.getResponseBody()) {
                        for (int i = 0; i < 1000; i++) {
                            out.write(0);
                            out.flush();
                            Thread.sleep(50);
                        }
                    } catch (Exception e) {
                        // the client hung up: expected
                    }
                });
        server.createContext(
                "/silent",
                ex -> {
                    try {
                        Thread.sleep(10_000);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    ex.close();
                });
        server.start();
        base = "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @AfterAll
    static void stopServer() {
        server.stop(0);
    }

    private ImageFetcher fetcher(long maxBytes, Duration total) {
        return new ImageFetcher(
                FetchConfig.defaults()
                        .withAllowedHosts(List.of("127.0.0.1"))
                        .withAllowedRoots(List.of(dir.toString()))
                        .withMaxBytes(maxBytes)
                        .withTimeouts(Duration.ofSeconds(2), total));
    }

    private static ErrorCode failure(ImageFetcher fetcher, String uri) {
        try {
            fetcher.fetch(uri).get(30, TimeUnit.SECONDS);
            throw new AssertionError("expected " + uri + " to fail");
        } catch (ExecutionException e) {
            return FetchException.of(e).code();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void fetchesOverHttpAndFollowsARedirect() throws Exception {
        try (ImageFetcher fetcher = fetcher(1 << 20, Duration.ofSeconds(5))) {
            assertThat(fetcher.fetch(base + "/image.jpg").get(10, TimeUnit.SECONDS))
                    .hasSize(IMAGE.length);
            assertThat(fetcher.fetch(base + "/redirect").get(10, TimeUnit.SECONDS))
                    .hasSize(IMAGE.length);
        }
    }

    @Test
    void turnsEveryHttpProblemIntoItsCode() {
        try (ImageFetcher fetcher = fetcher(100_000, Duration.ofSeconds(2))) {
            assertThat(failure(fetcher, base + "/missing.jpg")).isEqualTo(ErrorCode.NOT_FOUND);
            assertThat(failure(fetcher, base + "/broken.jpg")).isEqualTo(ErrorCode.HTTP_STATUS);
            assertThat(failure(fetcher, base + "/loop")).isEqualTo(ErrorCode.TOO_MANY_REDIRECTS);
            assertThat(failure(fetcher, base + "/to-metadata"))
                    .isEqualTo(ErrorCode.HOST_NOT_ALLOWED);
            assertThat(failure(fetcher, base + "/huge-declared")).isEqualTo(ErrorCode.TOO_LARGE);
            assertThat(failure(fetcher, base + "/huge-chunked")).isEqualTo(ErrorCode.TOO_LARGE);
            assertThat(failure(fetcher, base + "/trickle")).isEqualTo(ErrorCode.TIMEOUT);
            assertThat(failure(fetcher, base + "/silent")).isEqualTo(ErrorCode.TIMEOUT);
            int closedPort = server.getAddress().getPort() == 1 ? 2 : 1;
            assertThat(failure(fetcher, "http://127.0.0.1:" + closedPort + "/x.jpg"))
                    .isEqualTo(ErrorCode.FETCH_IO_ERROR);
        }
    }

    @Test
    void loopbackIsRefusedUnlessAllowed() {
        try (ImageFetcher strict = new ImageFetcher(FetchConfig.defaults())) {
            assertThat(failure(strict, base + "/image.jpg")).isEqualTo(ErrorCode.HOST_NOT_ALLOWED);
        }
    }

    @Test
    void readsFilesUnderTheSizeCap() throws Exception {
        Path small = Files.write(dir.resolve("small.jpg"), new byte[10]);
        Path big = Files.write(dir.resolve("big.jpg"), new byte[2000]);
        try (ImageFetcher fetcher = fetcher(1000, Duration.ofSeconds(5))) {
            assertThat(fetcher.fetch(small.toUri().toString()).get(5, TimeUnit.SECONDS))
                    .hasSize(10);
            assertThat(failure(fetcher, big.toUri().toString())).isEqualTo(ErrorCode.TOO_LARGE);
            assertThat(failure(fetcher, dir.toUri().toString()))
                    .isEqualTo(ErrorCode.NOT_REGULAR_FILE);
            assertThatThrownBy(() -> fetcher.checkInline(new byte[1001]))
                    .isInstanceOf(FetchException.class)
                    .hasMessageContaining("over the limit of 1000");
        }
    }

    @Test
    void plainHttpGoesToTheVettedAddressWithTheNameInTheHostHeader() throws Exception {
        HttpServer named = HttpServer.create(new InetSocketAddress(0), 0);
        java.util.List<String> hosts = new java.util.concurrent.CopyOnWriteArrayList<>();
        named.createContext(
                "/image.jpg",
                ex -> {
                    hosts.add(ex.getRequestHeaders().getFirst("Host"));
                    ex.sendResponseHeaders(200, IMAGE.length);
                    try (OutputStream out = ex.getResponseBody()) {
                        out.write(IMAGE);
                    }
                });
        named.start();
        String authority = "localhost:" + named.getAddress().getPort();
        try (ImageFetcher fetcher =
                new ImageFetcher(
                        FetchConfig.defaults()
                                .withAllowedHosts(List.of("127.0.0.0/8", "::1/128"))
                                .withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(5)))) {
            assertThat(
                            fetcher.fetch("http://" + authority + "/image.jpg")
                                    .get(10, TimeUnit.SECONDS))
                    .hasSize(IMAGE.length);
            assertThat(hosts).containsExactly(authority);
        } finally {
            named.stop(0);
        }
    }
}
