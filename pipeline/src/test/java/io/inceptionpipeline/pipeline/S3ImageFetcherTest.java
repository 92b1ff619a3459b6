package io.inceptionpipeline.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.inceptionpipeline.operators.fetch.FetchConfig;
import io.inceptionpipeline.operators.fetch.FetchException;
import io.inceptionpipeline.operators.fetch.ImageFetcher;
import io.inceptionpipeline.operators.fetch.S3Access;
import io.inceptionpipeline.schemas.ErrorCode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code s3://} fetching against a real S3-compatible server (s3proxy): the image's bytes, and each
 * refusal with its dead-letter code.
 */
class S3ImageFetcherTest {

    @TempDir static Path work;
    static S3TestServer server;
    static byte[] coffee;

    @BeforeAll
    static void startServer() throws Exception {
        server = S3TestServer.start(Files.createDirectories(work.resolve("s3")));
        server.createBucket("images");
        server.createBucket("secrets");
        coffee = Files.readAllBytes(Path.of("../samples/images/coffee.jpg"));
        server.put("images", "photos/coffee.jpg", coffee);
        server.put("images", "with space/coffee 2.jpg", coffee);
        server.put("secrets", "key.txt", "not an image".getBytes());
    }

    @AfterAll
    static void stopServer() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    private static FetchConfig config(S3Access access) {
        return FetchConfig.defaults().withS3(access);
    }

    private static byte[] fetch(FetchConfig config, String uri) {
        try (ImageFetcher fetcher = new ImageFetcher(config)) {
            return fetcher.fetch(uri).join();
        } catch (java.util.concurrent.CompletionException e) {
            throw FetchException.of(e);
        }
    }

    private static ErrorCode codeOf(FetchConfig config, String uri) {
        try {
            fetch(config, uri);
        } catch (FetchException e) {
            return e.code();
        }
        throw new AssertionError("fetched " + uri);
    }

    @Test
    void fetchesAnObjectOfAnAllowedBucket() {
        assertThat(fetch(config(server.access("images")), "s3://images/photos/coffee.jpg"))
                .isEqualTo(coffee);
    }

    @Test
    void decodesPercentEncodedKeys() {
        assertThat(
                        fetch(
                                config(server.access("images")),
                                "s3://images/with%20space/coffee%202.jpg"))
                .isEqualTo(coffee);
    }

    @Test
    void aMissingKeyIsNotFound() {
        assertThatThrownBy(
                        () -> fetch(config(server.access("images")), "s3://images/photos/nope.jpg"))
                .isInstanceOf(FetchException.class)
                .hasMessageContaining("No such S3 object: s3://images/photos/nope.jpg");
        assertThat(codeOf(config(server.access("images")), "s3://images/photos/nope.jpg"))
                .isEqualTo(ErrorCode.NOT_FOUND);
    }

    @Test
    void anAllowedBucketThatDoesNotExistIsNotFound() {
        assertThatThrownBy(() -> fetch(config(server.access("gone")), "s3://gone/a.jpg"))
                .isInstanceOf(FetchException.class)
                .hasMessageContaining("No such S3 bucket: gone")
                .satisfies(
                        e ->
                                assertThat(((FetchException) e).code())
                                        .isEqualTo(ErrorCode.NOT_FOUND));
    }

    @Test
    void anObjectOverTheCapIsTooLarge() {
        FetchConfig capped = config(server.access("images")).withMaxBytes(coffee.length - 1);
        assertThatThrownBy(() -> fetch(capped, "s3://images/photos/coffee.jpg"))
                .isInstanceOf(FetchException.class)
                .hasMessageContaining("over the limit of " + (coffee.length - 1))
                .satisfies(
                        e ->
                                assertThat(((FetchException) e).code())
                                        .isEqualTo(ErrorCode.TOO_LARGE));
        // exactly at the cap passes
        assertThat(
                        fetch(
                                config(server.access("images")).withMaxBytes(coffee.length),
                                "s3://images/photos/coffee.jpg"))
                .hasSize(coffee.length);
    }

    @Test
    void aBucketNotAllowedIsRefusedAlthoughTheCredentialsCouldReadIt() {
        assertThatThrownBy(() -> fetch(config(server.access("images")), "s3://secrets/key.txt"))
                .isInstanceOf(FetchException.class)
                .hasMessageContaining("S3 bucket secrets is not allowed")
                .satisfies(
                        e ->
                                assertThat(((FetchException) e).code())
                                        .isEqualTo(ErrorCode.HOST_NOT_ALLOWED));
    }

    @Test
    void s3IsRefusedByDefault() {
        assertThat(FetchConfig.defaults().s3().enabled()).isFalse();
        assertThatThrownBy(() -> fetch(FetchConfig.defaults(), "s3://images/photos/coffee.jpg"))
                .isInstanceOf(FetchException.class)
                .hasMessageContaining("s3:// URIs are disabled")
                .satisfies(
                        e ->
                                assertThat(((FetchException) e).code())
                                        .isEqualTo(ErrorCode.HOST_NOT_ALLOWED));
    }

    @Test
    void aUriWithoutAKeyIsInvalid() {
        assertThat(codeOf(config(server.access("images")), "s3://images/"))
                .isEqualTo(ErrorCode.INVALID_URI);
        assertThat(codeOf(config(server.access("images")), "s3://images/photos/"))
                .isEqualTo(ErrorCode.INVALID_URI);
    }

    @Test
    void wrongCredentialsAreRefusedWithTheS3ErrorCode() {
        String secret = System.getProperty("aws.secretAccessKey");
        System.setProperty("aws.secretAccessKey", "wrong-secret");
        try {
            assertThatThrownBy(
                            () ->
                                    fetch(
                                            config(server.access("images")),
                                            "s3://images/photos/coffee.jpg"))
                    .isInstanceOf(FetchException.class)
                    .hasMessageContaining("HTTP 403")
                    .hasMessageContaining("SignatureDoesNotMatch")
                    .satisfies(
                            e ->
                                    assertThat(((FetchException) e).code())
                                            .isEqualTo(ErrorCode.HTTP_STATUS));
        } finally {
            System.setProperty("aws.secretAccessKey", secret);
        }
    }

    @Test
    void bucketNamesAreChecked() {
        assertThatThrownBy(() -> new S3Access(List.of("Bad_Bucket!"), null, null, false))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Not an S3 bucket name");
    }
}
