package io.inceptionpipeline.operators.fetch;

import java.io.Serializable;
import java.net.URI;
import java.util.List;

/**
 * Which S3 buckets image URIs may name, and how to reach the store. Image URIs come from untrusted
 * producers while the job's credentials may read far more than images, so {@code s3://} is refused
 * unless buckets are named: a producer cannot make the job read a bucket nobody listed.
 *
 * @param allowedBuckets bucket names {@code s3://} URIs may point into; none means {@code s3://} is
 *     refused
 * @param endpoint endpoint of an S3-compatible store (e.g. {@code http://127.0.0.1:9000}); null for
 *     AWS
 * @param region signing region; null for the SDK's default chain ({@code AWS_REGION}, profile),
 *     {@code us-east-1} when that finds none
 * @param pathStyle address buckets as {@code endpoint/bucket/key} instead of {@code
 *     bucket.endpoint/key}, as most compatible stores need
 */
public record S3Access(
        List<String> allowedBuckets, String endpoint, String region, boolean pathStyle)
        implements Serializable {

    public S3Access {
        allowedBuckets = List.copyOf(allowedBuckets);
        for (String bucket : allowedBuckets) {
            if (!bucket.matches("[a-z0-9][a-z0-9.\\-_]{1,254}")) {
                throw new IllegalArgumentException("Not an S3 bucket name: '" + bucket + "'");
            }
        }
        if (endpoint != null) {
            URI parsed = URI.create(endpoint);
            if (parsed.getHost() == null
                    || !("http".equalsIgnoreCase(parsed.getScheme())
                            || "https".equalsIgnoreCase(parsed.getScheme()))) {
                throw new IllegalArgumentException(
                        "S3 endpoint must be an http(s) URL, got " + endpoint);
            }
        }
        if (region != null && region.isBlank()) {
            throw new IllegalArgumentException("S3 region must not be blank");
        }
    }

    /** S3 refused: no bucket allowed. */
    public static S3Access disabled() {
        return new S3Access(List.of(), null, null, false);
    }

    public boolean enabled() {
        return !allowedBuckets.isEmpty();
    }
}
