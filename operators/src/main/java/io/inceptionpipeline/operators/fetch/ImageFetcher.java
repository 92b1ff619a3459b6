package io.inceptionpipeline.operators.fetch;

import io.inceptionpipeline.schemas.ErrorCode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fetches image bytes by URI under a {@link UriPolicy}: {@code file://} and {@code s3://} (through
 * {@link S3ImageReader}) on a small thread pool, HTTP(S) asynchronously with {@link HttpClient}.
 * Redirects are followed by hand so every hop is checked against the policy; bodies are cut off at
 * the size cap as they arrive; the whole fetch, redirects and a slow body included, is bounded by
 * the total timeout. Every failure completes the future with a {@link FetchException} carrying its
 * error code.
 */
public final class ImageFetcher implements AutoCloseable {

    private static final String RESTRICTED_HEADERS = "jdk.httpclient.allowRestrictedHeaders";

    static {
        // Lets the fetcher connect to the address the URI policy vetted while still naming the
        // host in the Host header (see pinned()); the JDK's HTTP client reads this once.
        String allowed = System.getProperty(RESTRICTED_HEADERS, "");
        if (!Arrays.asList(allowed.toLowerCase(Locale.ROOT).split(",")).contains("host")) {
            System.setProperty(RESTRICTED_HEADERS, allowed.isBlank() ? "host" : allowed + ",host");
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(ImageFetcher.class);

    private final FetchConfig config;
    private final UriPolicy policy;
    private final ExecutorService fileReaders;
    private final HttpClient http;
    private volatile S3ImageReader s3; // made on the first s3:// URI

    public ImageFetcher(FetchConfig config) {
        this.config = config;
        this.policy = new UriPolicy(config);
        this.fileReaders =
                Executors.newFixedThreadPool(
                        config.fileThreads(),
                        r -> {
                            Thread t = new Thread(r, "image-file-reader");
                            t.setDaemon(true);
                            return t;
                        });
        this.http =
                HttpClient.newBuilder()
                        .followRedirects(HttpClient.Redirect.NEVER)
                        .connectTimeout(config.connectTimeout())
                        .build();
    }

    /** Fetches {@code uri}; the future fails with a {@link FetchException}. */
    public CompletableFuture<byte[]> fetch(String uri) {
        URI parsed;
        try {
            parsed = policy.parse(uri);
        } catch (FetchException e) {
            return CompletableFuture.failedFuture(e);
        }
        AtomicReference<CompletableFuture<?>> inFlight = new AtomicReference<>();
        String scheme = parsed.getScheme().toLowerCase(java.util.Locale.ROOT);
        CompletableFuture<byte[]> result =
                switch (scheme) {
                    case "file" ->
                            CompletableFuture.supplyAsync(() -> readFile(parsed), fileReaders);
                    case "s3" -> readS3(parsed);
                    default -> get(parsed, 0, inFlight);
                };
        return result.orTimeout(config.totalTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .whenComplete(
                        (bytes, error) -> {
                            CompletableFuture<?> exchange = inFlight.get();
                            if (error != null && exchange != null) {
                                exchange.cancel(true); // stops a server that trickles bytes
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
        try {
            if (!Files.isRegularFile(path)) {
                throw new FetchException(ErrorCode.NOT_FOUND, "Not a regular file: " + path);
            }
            long size = Files.size(path);
            if (size > config.maxBytes()) {
                throw new FetchException(
                        ErrorCode.TOO_LARGE,
                        "File has " + size + " bytes, over the limit of " + config.maxBytes());
            }
            try (InputStream in = Files.newInputStream(path)) {
                byte[] bytes = in.readNBytes((int) config.maxBytes() + 1);
                if (bytes.length > config.maxBytes()) { // grew while we read it
                    throw new FetchException(
                            ErrorCode.TOO_LARGE,
                            "File grew over the limit of " + config.maxBytes());
                }
                return bytes;
            }
        } catch (IOException e) {
            throw new FetchException(
                    ErrorCode.FETCH_IO_ERROR, "Cannot read " + path + ": " + e.getMessage());
        }
    }

    private CompletableFuture<byte[]> get(
            URI uri, int redirects, AtomicReference<CompletableFuture<?>> inFlight) {
        InetAddress vetted;
        try {
            vetted = policy.checkHost(uri).get(0);
        } catch (FetchException e) {
            return CompletableFuture.failedFuture(e);
        }
        HttpRequest request = request(uri, vetted);
        CompletableFuture<HttpResponse<byte[]>> exchange =
                http.sendAsync(request, this::bodyHandler);
        inFlight.set(exchange);
        return exchange.thenCompose(
                response -> {
                    int status = response.statusCode();
                    if (status == 200) {
                        return CompletableFuture.completedFuture(response.body());
                    }
                    if (status >= 300
                            && status < 400
                            && response.headers().firstValue("location").isPresent()) {
                        if (redirects >= config.maxRedirects()) {
                            throw new FetchException(
                                    ErrorCode.TOO_MANY_REDIRECTS,
                                    "More than " + config.maxRedirects() + " redirects");
                        }
                        URI next;
                        try {
                            next = uri.resolve(response.headers().firstValue("location").get());
                        } catch (IllegalArgumentException e) {
                            throw new FetchException(
                                    ErrorCode.INVALID_URI,
                                    "Redirect to an invalid URI: " + e.getMessage());
                        }
                        String scheme =
                                next.getScheme() == null ? "" : next.getScheme().toLowerCase();
                        if (!scheme.equals("http") && !scheme.equals("https")) {
                            throw new FetchException(
                                    ErrorCode.UNSUPPORTED_SCHEME,
                                    "Redirect to a non-HTTP URI: " + next);
                        }
                        return get(next, redirects + 1, inFlight);
                    }
                    // 404 and 410 say the image does not exist, as a missing file does
                    throw new FetchException(
                            status == 404 || status == 410
                                    ? ErrorCode.NOT_FOUND
                                    : ErrorCode.HTTP_STATUS,
                            "HTTP " + status + " from " + uri.getHost());
                });
    }

    /**
     * The request for {@code uri}. Plain HTTP goes to the vetted address itself, with the host's
     * name in the Host header: resolving the name again could give another answer (DNS rebinding).
     * HTTPS keeps the name, which the certificate must match; an internal service reached by
     * rebinding would not present a certificate for the attacker's name.
     */
    private HttpRequest request(URI uri, InetAddress vetted) {
        URI pinned = pinned(uri, vetted);
        if (pinned != null) {
            try {
                return HttpRequest.newBuilder(pinned)
                        .timeout(config.totalTimeout())
                        .header("Accept", "image/*")
                        .header("Host", uri.getRawAuthority())
                        .GET()
                        .build();
            } catch (IllegalArgumentException e) {
                // the HTTP client was loaded before this class could allow the Host header
                LOG.warn("Cannot pin {} to {}: {}", uri.getHost(), vetted, e.getMessage());
            }
        }
        return HttpRequest.newBuilder(uri)
                .timeout(config.totalTimeout())
                .header("Accept", "image/*")
                .GET()
                .build();
    }

    /**
     * {@code uri} with its host replaced by the literal {@code address}, for plain HTTP to a named
     * host; {@code null} when nothing needs pinning (HTTPS, a literal address, a trusted host).
     */
    static URI pinned(URI uri, InetAddress address) {
        if (address == null
                || !"http".equalsIgnoreCase(uri.getScheme())
                || uri.getHost().equalsIgnoreCase(address.getHostAddress())
                || uri.getHost().startsWith("[")) {
            return null;
        }
        String literal =
                address instanceof Inet6Address
                        ? "[" + address.getHostAddress() + "]"
                        : address.getHostAddress();
        String path =
                uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        return URI.create(
                uri.getScheme()
                        + "://"
                        + literal
                        + (uri.getPort() == -1 ? "" : ":" + uri.getPort())
                        + path
                        + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery()));
    }

    private HttpResponse.BodySubscriber<byte[]> bodyHandler(HttpResponse.ResponseInfo info) {
        if (info.statusCode() != 200) {
            return HttpResponse.BodySubscribers.replacing(new byte[0]);
        }
        long declared = info.headers().firstValueAsLong("content-length").orElse(-1);
        if (declared > config.maxBytes()) {
            return new CappedBody(
                    -1,
                    "Response declares "
                            + declared
                            + " bytes, over the limit of "
                            + config.maxBytes());
        }
        return new CappedBody(config.maxBytes(), null);
    }

    private static FetchException classify(Throwable error) {
        Throwable e = error;
        while ((e instanceof CompletionException
                        || e instanceof java.util.concurrent.ExecutionException)
                && e.getCause() != null) {
            e = e.getCause();
        }
        if (e instanceof TimeoutException
                || e instanceof HttpTimeoutException
                        && !(e instanceof HttpConnectTimeoutException)) {
            return new FetchException(ErrorCode.TIMEOUT, "Fetch did not complete in time");
        }
        if (e instanceof HttpConnectTimeoutException) {
            return new FetchException(ErrorCode.TIMEOUT, "Connect timed out");
        }
        if (e instanceof ConnectException) {
            return new FetchException(ErrorCode.FETCH_IO_ERROR, "Connection refused");
        }
        return FetchException.of(e);
    }

    /** Collects a body up to a cap; beyond it, cancels the stream and fails with TOO_LARGE. */
    private static final class CappedBody implements HttpResponse.BodySubscriber<byte[]> {
        private final long cap;
        private final String refusal;
        private final CompletableFuture<byte[]> body = new CompletableFuture<>();
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private Flow.Subscription subscription;

        CappedBody(long cap, String refusal) {
            this.cap = cap;
            this.refusal = refusal;
        }

        @Override
        public java.util.concurrent.CompletionStage<byte[]> getBody() {
            return body;
        }

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            this.subscription = subscription;
            if (refusal != null) {
                subscription.cancel();
                body.completeExceptionally(new FetchException(ErrorCode.TOO_LARGE, refusal));
            } else {
                subscription.request(Long.MAX_VALUE);
            }
        }

        @Override
        public void onNext(List<ByteBuffer> buffers) {
            if (body.isDone()) {
                return;
            }
            for (ByteBuffer buffer : buffers) {
                if (out.size() + (long) buffer.remaining() > cap) {
                    subscription.cancel();
                    body.completeExceptionally(
                            new FetchException(
                                    ErrorCode.TOO_LARGE,
                                    "Response is over the limit of " + cap + " bytes"));
                    return;
                }
                byte[] chunk = new byte[buffer.remaining()];
                buffer.get(chunk);
                out.writeBytes(chunk);
            }
        }

        @Override
        public void onError(Throwable throwable) {
            body.completeExceptionally(throwable);
        }

        @Override
        public void onComplete() {
            body.complete(out.toByteArray());
        }
    }

    @Override
    public void close() {
        fileReaders.shutdownNow();
        if (s3 != null) {
            s3.close();
        }
        // HttpClient holds no resources beyond its selector thread, which ends with the client.
    }
}
