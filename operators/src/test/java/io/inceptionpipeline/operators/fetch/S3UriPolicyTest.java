package io.inceptionpipeline.operators.fetch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.inceptionpipeline.schemas.ErrorCode;
import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The {@code s3://} half of {@link UriPolicy}: no network, only the policy's decisions. */
class S3UriPolicyTest {

    private static UriPolicy allowing(String... buckets) {
        return new UriPolicy(
                FetchConfig.defaults().withS3(new S3Access(List.of(buckets), null, null, false)));
    }

    private static void assertCode(UriPolicy policy, String uri, ErrorCode code, String message) {
        assertThatThrownBy(() -> policy.checkS3(policy.parse(uri)))
                .isInstanceOf(FetchException.class)
                .hasMessageContaining(message)
                .satisfies(e -> assertThat(((FetchException) e).code()).isEqualTo(code));
    }

    @Test
    void s3IsASupportedSchemeButRefusedByDefault() {
        UriPolicy defaults = new UriPolicy(FetchConfig.defaults());
        assertThat(defaults.parse("s3://images/a.jpg").getScheme()).isEqualTo("s3");
        assertCode(
                defaults,
                "s3://images/a.jpg",
                ErrorCode.HOST_NOT_ALLOWED,
                "s3:// URIs are disabled");
    }

    @Test
    void onlyAllowedBucketsPass() {
        UriPolicy policy = allowing("images", "more.images");
        assertThat(policy.checkS3(URI.create("s3://images/dir/a%20b.jpg")))
                .isEqualTo(new UriPolicy.S3Location("images", "dir/a b.jpg"));
        assertThat(policy.checkS3(URI.create("s3://more.images/x.png")))
                .isEqualTo(new UriPolicy.S3Location("more.images", "x.png"));
        assertCode(policy, "s3://secrets/a.jpg", ErrorCode.HOST_NOT_ALLOWED, "bucket secrets");
        // a prefix or suffix of an allowed name is another bucket
        assertCode(policy, "s3://image/a.jpg", ErrorCode.HOST_NOT_ALLOWED, "bucket image ");
        assertCode(policy, "s3://images2/a.jpg", ErrorCode.HOST_NOT_ALLOWED, "bucket images2");
    }

    @Test
    void aUriMustNameOneObject() {
        UriPolicy policy = allowing("images");
        assertCode(policy, "s3://images", ErrorCode.INVALID_URI, "names no object");
        assertCode(policy, "s3://images/", ErrorCode.INVALID_URI, "names no object");
        assertCode(policy, "s3://images/dir/", ErrorCode.INVALID_URI, "names no object");
        assertCode(policy, "s3:///a.jpg", ErrorCode.INVALID_URI, "has no bucket");
        assertCode(policy, "s3://images/a.jpg?versionId=1", ErrorCode.INVALID_URI, "no query");
    }

    @Test
    void bucketNamesAndEndpointsAreValidated() {
        assertThatThrownBy(() -> new S3Access(List.of("s3://images"), null, null, false))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Not an S3 bucket name");
        assertThatThrownBy(() -> new S3Access(List.of("images"), "minio:9000", null, true))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("http(s) URL");
        assertThatThrownBy(() -> new S3Access(List.of("images"), "ftp://minio:9000", null, true))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("http(s) URL");
        assertThat(S3Access.disabled().enabled()).isFalse();
    }
}
