package io.inceptionpipeline.operators.fetch;

import java.io.Serializable;
import java.time.Duration;
import java.util.List;

/**
 * Limits and permissions of image fetching. Image URIs come from untrusted producers, so the
 * defaults refuse what is not explicitly allowed: no {@code file://} without a root, no private,
 * loopback or link-local address over HTTP.
 *
 * @param allowedRoots folders {@code file://} URIs may point into (after resolving symlinks); none
 *     means {@code file://} is refused
 * @param maxBytes largest image accepted, fetched or inline
 * @param connectTimeout HTTP connect timeout
 * @param totalTimeout the whole fetch of one URI, redirects and body included
 * @param maxRedirects HTTP redirects followed, each checked against the host policy
 * @param allowPrivateNetworks whether HTTP may reach loopback, private, link-local and other
 *     non-public addresses
 * @param allowedHosts host names, IP addresses or CIDR blocks reachable even when private, each on
 *     every port or on one ({@link AllowedHost}: {@code host}, {@code host:port}, {@code
 *     [v6]:port}, {@code 10.0.0.0/8:443}); checked when a {@link UriPolicy} is made
 * @param fileThreads threads reading files and S3 objects (both block)
 * @param s3 buckets {@code s3://} URIs may name and how to reach the store; none by default
 */
public record FetchConfig(
        List<String> allowedRoots,
        long maxBytes,
        Duration connectTimeout,
        Duration totalTimeout,
        int maxRedirects,
        boolean allowPrivateNetworks,
        List<String> allowedHosts,
        int fileThreads,
        S3Access s3)
        implements Serializable {

    /** Without S3: {@code s3://} refused. */
    public FetchConfig(
            List<String> allowedRoots,
            long maxBytes,
            Duration connectTimeout,
            Duration totalTimeout,
            int maxRedirects,
            boolean allowPrivateNetworks,
            List<String> allowedHosts,
            int fileThreads) {
        this(
                allowedRoots,
                maxBytes,
                connectTimeout,
                totalTimeout,
                maxRedirects,
                allowPrivateNetworks,
                allowedHosts,
                fileThreads,
                S3Access.disabled());
    }

    public FetchConfig {
        allowedRoots = List.copyOf(allowedRoots);
        allowedHosts = List.copyOf(allowedHosts);
        if (s3 == null) {
            throw new IllegalArgumentException("s3 must not be null (S3Access.disabled())");
        }
        if (maxBytes <= 0 || maxRedirects < 0 || fileThreads <= 0) {
            throw new IllegalArgumentException(
                    "maxBytes and fileThreads must be positive, maxRedirects not negative");
        }
        if (connectTimeout.isNegative()
                || connectTimeout.isZero()
                || totalTimeout.isNegative()
                || totalTimeout.isZero()) {
            throw new IllegalArgumentException("Timeouts must be positive");
        }
    }

    /** Safe defaults: 32 MiB, 5 s connect, 30 s total, 5 redirects, public hosts only, no files. */
    public static FetchConfig defaults() {
        return new FetchConfig(
                List.of(),
                32L << 20,
                Duration.ofSeconds(5),
                Duration.ofSeconds(30),
                5,
                false,
                List.of(),
                4);
    }

    public FetchConfig withAllowedRoots(List<String> roots) {
        return new FetchConfig(
                roots,
                maxBytes,
                connectTimeout,
                totalTimeout,
                maxRedirects,
                allowPrivateNetworks,
                allowedHosts,
                fileThreads,
                s3);
    }

    public FetchConfig withAllowedHosts(List<String> hosts) {
        return new FetchConfig(
                allowedRoots,
                maxBytes,
                connectTimeout,
                totalTimeout,
                maxRedirects,
                allowPrivateNetworks,
                hosts,
                fileThreads,
                s3);
    }

    public FetchConfig withMaxBytes(long bytes) {
        return new FetchConfig(
                allowedRoots,
                bytes,
                connectTimeout,
                totalTimeout,
                maxRedirects,
                allowPrivateNetworks,
                allowedHosts,
                fileThreads,
                s3);
    }

    public FetchConfig withTimeouts(Duration connect, Duration total) {
        return new FetchConfig(
                allowedRoots,
                maxBytes,
                connect,
                total,
                maxRedirects,
                allowPrivateNetworks,
                allowedHosts,
                fileThreads,
                s3);
    }

    public FetchConfig withS3(S3Access access) {
        return new FetchConfig(
                allowedRoots,
                maxBytes,
                connectTimeout,
                totalTimeout,
                maxRedirects,
                allowPrivateNetworks,
                allowedHosts,
                fileThreads,
                access);
    }
}
