package io.inceptionpipeline.pipeline.archive;

import io.inceptionpipeline.operators.fetch.S3Access;
import io.inceptionpipeline.operators.fetch.S3ImageReader;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Lists the objects under an {@code s3://bucket/prefix} (all of them, through every page), each
 * becoming an item whose id is its {@code s3://bucket/key} URI. "Folder" placeholder keys ending in
 * {@code /} are left out.
 */
public final class S3Listing {

    private S3Listing() {}

    /** The bucket of an {@code s3://bucket/prefix} input. */
    public static String bucket(String input) {
        String bucket = URI.create(input).getRawAuthority();
        if (!input.startsWith("s3://") || bucket == null || bucket.isEmpty()) {
            throw new IllegalArgumentException("Not an s3://bucket/prefix: " + input);
        }
        return bucket;
    }

    public static List<ArchiveItem> list(String input, S3Access access) {
        String bucket = bucket(input);
        String path = URI.create(input).getPath();
        String prefix = path == null || path.isEmpty() ? "" : path.substring(1);
        List<ArchiveItem> items = new ArrayList<>();
        try (S3Client s3 =
                S3ImageReader.client(access, Duration.ofSeconds(10), Duration.ofMinutes(2))
                        .build()) {
            ListObjectsV2Request request =
                    ListObjectsV2Request.builder().bucket(bucket).prefix(prefix).build();
            for (S3Object object : s3.listObjectsV2Paginator(request).contents()) {
                if (object.key().endsWith("/")) {
                    continue;
                }
                String uri = uri(bucket, object.key());
                items.add(new ArchiveItem(uri, uri, items.size() + 1));
            }
        }
        return items;
    }

    /** {@code s3://bucket/key}, the key percent-encoded where a URI needs it (spaces, ...). */
    static String uri(String bucket, String key) {
        try {
            return new URI("s3", bucket, "/" + key, null).toASCIIString();
        } catch (java.net.URISyntaxException e) {
            throw new IllegalArgumentException("Cannot make a URI of key " + key, e);
        }
    }
}
