package io.inceptionpipeline.operators.fetch;

import io.inceptionpipeline.schemas.ErrorCode;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.security.NoSuchAlgorithmException;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import org.apache.hc.client5.http.ConnectTimeoutException;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.config.TlsConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManager;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.client5.http.ssl.DefaultClientTlsStrategy;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.util.Timeout;

/**
 * Fetches image bytes by URI under a {@link UriPolicy}: {@code file://} and {@code s3://} (through
 * {@link S3ImageReader}) on a small thread pool, HTTP(S) with Apache HttpClient 5 on its own
 * threads, so neither DNS nor a slow server ever runs on the Flink task thread.
 *
 * <p>Every HTTP(S) connection goes to an address the policy vetted: the client's only resolver is a
 * {@link VettingDnsResolver}, which resolves the name once through the {@link HostResolver}, vets
 * every address for the connection's port and hands the client only those. HTTPS sends the URI's
 * host as SNI and verifies the certificate against it. Redirects are followed by hand, each hop a
 * new request through the same resolver; bodies are cut off at the size cap as they arrive; the
 * whole fetch, name resolution, redirects and a slow body included, is bounded by the total
 * timeout, after which the connection is aborted. Every failure completes the future with a {@link
 * FetchException} carrying its error code; nothing falls back to an unvetted connection.
 */
public final class ImageFetcher implements AutoCloseable {

    /** Connections the HTTP client keeps, in all and to one host. */
    private static final int MAX_CONNECTIONS = 256;

    private static final int MAX_CONNECTIONS_PER_HOST = 64;

    private final FetchConfig config;
    private final UriPolicy policy;
    private final ExecutorService fileReaders;
    private final ExecutorService httpThreads;
    private final PoolingHttpClientConnectionManager connections;
    private final CloseableHttpClient http;
    private volatile S3ImageReader s3; // made on the first s3:// URI

    public ImageFetcher(FetchConfig config) {
        this(config, HostResolver.SYSTEM);
    }

    /** A fetcher resolving host names with {@code resolver} and trusting the JVM's CAs. */
    public ImageFetcher(FetchConfig config, HostResolver resolver) {
        this(config, resolver, defaultTls());
    }

    /**
     * A fetcher trusting the certificates {@code tls} trusts. For tests and embedders with their
     * own CA; the job and the CLI use the JVM's default trust store.
     */
    public ImageFetcher(FetchConfig config, HostResolver resolver, SSLContext tls) {
        this.config = config;
        this.policy = new UriPolicy(config, resolver);
        this.fileReaders = daemonPool(config.fileThreads(), "image-file-reader");
        this.httpThreads = Executors.newCachedThreadPool(daemon("image-http-fetch"));
        Timeout connect = Timeout.ofMilliseconds(config.connectTimeout().toMillis());
        Timeout total = Timeout.ofMilliseconds(config.totalTimeout().toMillis());
        this.connections =
                PoolingHttpClientConnectionManagerBuilder.create()
                        .setDnsResolver(new VettingDnsResolver(policy))
                        .setTlsSocketStrategy(new DefaultClientTlsStrategy(tls))
                        .setDefaultConnectionConfig(
                                ConnectionConfig.custom()
                                        .setConnectTimeout(connect)
                                        .setSocketTimeout(total)
                                        .build())
                        .setDefaultTlsConfig(
                                TlsConfig.custom().setHandshakeTimeout(connect).build())
                        .setMaxConnTotal(MAX_CONNECTIONS)
                        .setMaxConnPerRoute(MAX_CONNECTIONS_PER_HOST)
                        .build();
        // No system properties, no proxy, no retries, no cookies, no decompression: the bytes
        // are exactly the server's, from the vetted address, and the fetch fails rather than
        // trying anything else.
        this.http =
                HttpClients.custom()
                        .setConnectionManager(connections)
                        .disableRedirectHandling()
                        .disableAutomaticRetries()
                        .disableCookieManagement()
                        .disableAuthCaching()
                        .disableContentCompression()
                        .setDefaultRequestConfig(
                                RequestConfig.custom()
                                        .setConnectionRequestTimeout(total)
                                        .setResponseTimeout(total)
                                        .setProtocolUpgradeEnabled(false)
                                        .setHardCancellationEnabled(true)
                                        .build())
                        .build();
    }

    private static SSLContext defaultTls() {
        try {
            return SSLContext.getDefault();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("No default TLS context", e);
        }
    }

    private static ExecutorService daemonPool(int threads, String name) {
        return Executors.newFixedThreadPool(threads, daemon(name));
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    /** Fetches {@code uri}; the future fails with a {@link FetchException}. */
    public CompletableFuture<byte[]> fetch(String uri) {
        URI parsed;
        try {
            parsed = policy.parse(uri);
        } catch (FetchException e) {
            return CompletableFuture.failedFuture(e);
        }
        Exchange exchange = new Exchange();
        String scheme = parsed.getScheme().toLowerCase(Locale.ROOT);
        CompletableFuture<byte[]> result =
                switch (scheme) {
                    case "file" ->
                            CompletableFuture.supplyAsync(() -> readFile(parsed), fileReaders);
                    case "s3" -> readS3(parsed);
                    default ->
                            CompletableFuture.supplyAsync(() -> get(parsed, exchange), httpThreads);
                };
        return result.orTimeout(config.totalTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .whenComplete(
                        (bytes, error) -> {
                            if (error != null) {
                                exchange.abandon(); // stops a server that trickles bytes
                            }
                        })
                .exceptionallyCompose(e -> CompletableFuture.failedFuture(classify(e)));
    }

    /** Checks inline bytes against the same size cap. */
    public byte[] checkInline(byte[] bytes) {
        if (bytes.length > config.maxBytes()) {
            throw new FetchException(
                    ErrorCode.TOO_LARGE,
                    "Inline image has "
                            + bytes.length
                            + " bytes, over the limit of "
                            + config.maxBytes());
        }
        return bytes;
    }

    private CompletableFuture<byte[]> readS3(URI uri) {
        UriPolicy.S3Location location;
        try {
            location = policy.checkS3(uri);
        } catch (FetchException e) {
            return CompletableFuture.failedFuture(e);
        }
        return CompletableFuture.supplyAsync(() -> s3Reader().read(location), fileReaders);
    }

    private S3ImageReader s3Reader() {
        S3ImageReader reader = s3;
        if (reader == null) {
            synchronized (this) {
                if (s3 == null) {
                    s3 =
                            new S3ImageReader(
                                    config.s3(),
                                    config.maxBytes(),
                                    config.connectTimeout(),
                                    config.totalTimeout());
                }
                reader = s3;
            }
        }
        return reader;
    }

    private byte[] readFile(URI uri) {
        Path path = policy.checkFile(uri);
        return RegularFileReader.read(path, config.maxBytes(), policy::insideRealRoots);
    }

    /**
     * GETs {@code first} on an HTTP thread, following redirects by hand: every hop's connection is
     * vetted by the client's {@link VettingDnsResolver}.
     */
    private byte[] get(URI first, Exchange exchange) {
        URI uri = first;
        for (int redirects = 0; ; redirects++) {
            requireHost(uri);
            HttpGet request = new HttpGet(uri);
            request.setHeader("Accept", "image/*");
            exchange.start(request);
            Hop hop = exchange(uri, request);
            if (hop.body() != null) {
                return hop.body();
            }
            if (redirects >= config.maxRedirects()) {
                throw new FetchException(
                        ErrorCode.TOO_MANY_REDIRECTS,
                        "More than " + config.maxRedirects() + " redirects");
            }
            uri = redirectTarget(uri, hop.location());
        }
    }

    /**
     * One request and its response. Only a 200 read to its end hands its connection back to the
     * pool; any other ending aborts the connection rather than drain a body nobody wants.
     */
    private Hop exchange(URI uri, HttpGet request) {
        ClassicHttpResponse response = null;
        try {
            response = http.executeOpen(null, request, null);
            Hop hop = read(uri, response);
            if (hop.body() == null) {
                request.cancel();
            }
            return hop;
        } catch (IOException | RuntimeException e) {
            request.cancel();
            throw classify(e);
        } finally {
            closeQuietly(response);
        }
    }

    private static void closeQuietly(ClassicHttpResponse response) {
        if (response != null) {
            try {
                response.close();
            } catch (IOException | RuntimeException e) {
                // an aborted connection: the outcome is already decided
            }
        }
    }

    private static void requireHost(URI uri) {
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            throw new FetchException(ErrorCode.INVALID_URI, "URI has no host: " + uri);
        }
    }

    /** Where a redirect leads, if it is HTTP(S). */
    static URI redirectTarget(URI from, String location) {
        URI next;
        try {
            next = from.resolve(location);
        } catch (IllegalArgumentException e) {
            throw new FetchException(
                    ErrorCode.INVALID_URI, "Redirect to an invalid URI: " + e.getMessage());
        }
        String scheme = next.getScheme() == null ? "" : next.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new FetchException(
                    ErrorCode.UNSUPPORTED_SCHEME, "Redirect to a non-HTTP URI: " + next);
        }
        return next;
    }

    /** One response: the body of a 200, or where a redirect leads. */
    private record Hop(byte[] body, String location) {}

    private Hop read(URI uri, ClassicHttpResponse response) throws IOException {
        int status = response.getCode();
        if (status == 200) {
            return new Hop(cappedBody(response.getEntity()), null);
        }
        Header location = response.getFirstHeader("Location");
        if (status >= 300 && status < 400 && location != null) {
            return new Hop(null, location.getValue());
        }
        // 404 and 410 say the image does not exist, as a missing file does
        throw new FetchException(
                status == 404 || status == 410 ? ErrorCode.NOT_FOUND : ErrorCode.HTTP_STATUS,
                "HTTP " + status + " from " + uri.getHost());
    }

    /** The body, refused as soon as it is declared or read past the size cap. */
    private byte[] cappedBody(HttpEntity entity) throws IOException {
        if (entity == null) {
            return new byte[0];
        }
        long declared = entity.getContentLength();
        if (declared > config.maxBytes()) {
            throw new FetchException(
                    ErrorCode.TOO_LARGE,
                    "Response declares "
                            + declared
                            + " bytes, over the limit of "
                            + config.maxBytes());
        }
        // Not closed here: closing would drain the rest of an oversized body. The caller
        // aborts the connection on failure; a body read to its end releases it.
        InputStream in = entity.getContent();
        byte[] bytes = in.readNBytes((int) config.maxBytes() + 1);
        if (bytes.length > config.maxBytes()) {
            throw new FetchException(
                    ErrorCode.TOO_LARGE,
                    "Response is over the limit of " + config.maxBytes() + " bytes");
        }
        return bytes;
    }

    /**
     * The request in flight for one fetch, so that the total deadline can abort it, and any hop
     * started after that.
     */
    private static final class Exchange {
        private volatile HttpGet current;
        private volatile boolean abandoned;

        void start(HttpGet request) {
            current = request;
            if (abandoned) {
                request.cancel();
            }
        }

        void abandon() {
            abandoned = true;
            HttpGet request = current;
            if (request != null) {
                request.cancel();
            }
        }
    }

    /** The dead letter's code for what ended a fetch. */
    static FetchException classify(Throwable error) {
        Throwable e = error;
        while ((e instanceof CompletionException
                        || e instanceof java.util.concurrent.ExecutionException)
                && e.getCause() != null) {
            e = e.getCause();
        }
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof FetchException fetch) {
                return fetch;
            }
            if (cause instanceof VettingDnsResolver.Refused refused) {
                return refused.refusal();
            }
            if (cause.getCause() == cause) {
                break;
            }
        }
        if (e instanceof TimeoutException) {
            return new FetchException(ErrorCode.TIMEOUT, "Fetch did not complete in time");
        }
        if (e instanceof ConnectTimeoutException) {
            return new FetchException(ErrorCode.TIMEOUT, "Connect timed out");
        }
        if (e instanceof SocketTimeoutException) {
            return new FetchException(ErrorCode.TIMEOUT, "Fetch did not complete in time");
        }
        if (e instanceof ConnectException) {
            return new FetchException(ErrorCode.FETCH_IO_ERROR, "Connection refused");
        }
        if (e instanceof UnknownHostException) {
            return new FetchException(ErrorCode.NOT_FOUND, "Unknown host: " + e.getMessage());
        }
        if (e instanceof SSLException) {
            return new FetchException(ErrorCode.FETCH_IO_ERROR, "TLS failed: " + e.getMessage());
        }
        if (e instanceof InterruptedIOException) {
            return new FetchException(ErrorCode.TIMEOUT, "Fetch was cut off at the deadline");
        }
        return FetchException.of(e);
    }

    @Override
    public void close() {
        fileReaders.shutdownNow();
        httpThreads.shutdownNow();
        http.close(org.apache.hc.core5.io.CloseMode.IMMEDIATE);
        if (s3 != null) {
            s3.close();
        }
    }
}
