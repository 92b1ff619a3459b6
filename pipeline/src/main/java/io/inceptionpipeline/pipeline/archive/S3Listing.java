package io.inceptionpipeline.pipeline.archive;

import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Lists the objects under an S3 prefix one page (one ListObjectsV2 call) at a time, resuming from a
 * page's continuation token: what {@link S3PrefixEnumerator} keeps in its checkpoints instead of
 * the listing. "Folder" placeholder keys ending in {@code /} are left out.
 */
final class S3Listing implements AutoCloseable {

    /** Keys per page: S3's own maximum for one ListObjectsV2 call. */
    static final int MAX_PAGE_SIZE = 1000;

    /**
     * One page: its object keys in listing order, and the token of the next page (null: the last).
     */
    record Page(List<String> keys, String nextToken) {
        boolean last() {
            return nextToken == null;
        }
    }

    private final S3Client s3;
    private final String bucket;
    private final String prefix;
    private final int pageSize;

    S3Listing(S3Client s3, String bucket, String prefix, int pageSize) {
        if (pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
            throw new IllegalArgumentException(
                    "A page holds 1 to " + MAX_PAGE_SIZE + " keys, got " + pageSize);
        }
        this.s3 = s3;
        this.bucket = bucket;
        this.prefix = prefix;
        this.pageSize = pageSize;
    }

    /** The page at {@code continuationToken}; null for the first. */
    Page page(String continuationToken) {
        ListObjectsV2Response response =
                s3.listObjectsV2(
                        ListObjectsV2Request.builder()
                                .bucket(bucket)
                                .prefix(prefix)
                                .maxKeys(pageSize)
                                .continuationToken(continuationToken)
                                .build());
        List<String> keys = new ArrayList<>(response.contents().size());
        for (S3Object object : response.contents()) {
            if (!object.key().endsWith("/")) {
                keys.add(object.key());
            }
        }
        boolean more = Boolean.TRUE.equals(response.isTruncated());
        return new Page(keys, more ? response.nextContinuationToken() : null);
    }

    @Override
    public void close() {
        s3.close();
    }

    /** {@code s3://bucket/key}, the key percent-encoded where a URI needs it (spaces, ...). */
    static String uri(String bucket, String key) {
        try {
            return new java.net.URI("s3", bucket, "/" + key, null).toASCIIString();
        } catch (java.net.URISyntaxException e) {
            throw new IllegalArgumentException("Cannot make a URI of key " + key, e);
        }
    }
}
