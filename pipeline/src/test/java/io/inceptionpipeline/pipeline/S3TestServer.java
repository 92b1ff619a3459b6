package io.inceptionpipeline.pipeline;

import io.inceptionpipeline.operators.fetch.S3Access;
import io.inceptionpipeline.operators.fetch.S3ImageReader;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A real S3-compatible server for tests: s3proxy (Jetty + jclouds' filesystem blob store) on a free
 * loopback port, checking AWS v4 signatures. The AWS SDK's default credential chain finds its keys
 * in the {@code aws.accessKeyId} and {@code aws.secretAccessKey} system properties, set here.
 */
public final class S3TestServer implements AutoCloseable {

    public static final String ACCESS_KEY = "test-access-key";
    public static final String SECRET_KEY = "test-secret-key-0123456789";

    private final S3Proxy proxy;
    private final BlobStoreContext store;
    private final String endpoint;

    private S3TestServer(S3Proxy proxy, BlobStoreContext store, String endpoint) {
        this.proxy = proxy;
        this.store = store;
        this.endpoint = endpoint;
    }

    public static S3TestServer start(Path dir) throws Exception {
        Properties properties = new Properties();
        properties.setProperty("jclouds.filesystem.basedir", dir.toString());
        BlobStoreContext store =
                ContextBuilder.newBuilder("filesystem")
                        .credentials("identity", "credential")
                        .overrides(properties)
                        .build(BlobStoreContext.class);
        S3Proxy proxy =
                S3Proxy.builder()
                        .blobStore(store.getBlobStore())
                        .endpoint(URI.create("http://127.0.0.1:0"))
                        .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
                        .build();
        proxy.start();
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!proxy.getState().equals("STARTED")) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("s3proxy did not start: " + proxy.getState());
            }
            Thread.sleep(10);
        }
        System.setProperty("aws.accessKeyId", ACCESS_KEY);
        System.setProperty("aws.secretAccessKey", SECRET_KEY);
        return new S3TestServer(proxy, store, "http://127.0.0.1:" + proxy.getPort());
    }

    public String endpoint() {
        return endpoint;
    }

    /** Access to this server for the given buckets: its endpoint, path style. */
    public S3Access access(String... buckets) {
        return new S3Access(List.of(buckets), endpoint, "us-east-1", true);
    }

    /** An SDK client (the fetcher's own configuration) to create buckets and upload objects. */
    public S3Client client() {
        return S3ImageReader.client(access(), Duration.ofSeconds(5), Duration.ofSeconds(30))
                .build();
    }

    public void createBucket(String bucket) {
        try (S3Client s3 = client()) {
            s3.createBucket(b -> b.bucket(bucket));
        }
    }

    public void put(String bucket, String key, byte[] bytes) {
        try (S3Client s3 = client()) {
            s3.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromBytes(bytes));
        }
    }

    @Override
    public void close() throws Exception {
        proxy.stop();
        store.close();
    }
}
