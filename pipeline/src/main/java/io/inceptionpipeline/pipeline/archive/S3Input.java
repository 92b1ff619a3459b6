package io.inceptionpipeline.pipeline.archive;

import io.inceptionpipeline.operators.fetch.S3Access;
import io.inceptionpipeline.operators.fetch.S3ImageReader;
import java.net.URI;
import java.time.Duration;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * An {@code archive --input s3://BUCKET/KEY}: one manifest object, or a prefix whose every object
 * is an image. The rule ({@link #isManifest}): the bucket root ({@code s3://BUCKET} or {@code
 * s3://BUCKET/}) and a key ending in {@code /} name a prefix, without asking the store; any other
 * key names a manifest when an object of exactly that key exists (a HEAD request), else a prefix
 * (so {@code s3://b/images} still lists {@code images/…}, {@code images-2/…}). To list a prefix
 * that is also an object's key, end it with {@code /}.
 */
public record S3Input(String bucket, String key) implements java.io.Serializable {

    /** Connect and per-call time limits of the archive's own S3 calls (HEAD, listing, manifest). */
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);

    static final Duration CALL_TIMEOUT = Duration.ofMinutes(2);

    public S3Input {
        if (bucket == null || bucket.isEmpty()) {
            throw new IllegalArgumentException("No bucket in s3://" + bucket + "/" + key);
        }
        key = key == null ? "" : key;
    }

    /** Bucket and key (or prefix) of an {@code s3://bucket/key} input. */
    public static S3Input parse(String input) {
        URI uri;
        try {
            uri = URI.create(input);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Not an s3://bucket/prefix: " + input, e);
        }
        String bucket = uri.getRawAuthority();
        if (!input.startsWith("s3://") || bucket == null || bucket.isEmpty()) {
            throw new IllegalArgumentException("Not an s3://bucket/prefix: " + input);
        }
        String path = uri.getPath();
        return new S3Input(bucket, path == null || path.isEmpty() ? "" : path.substring(1));
    }

    /** {@code s3://bucket/key}: the input as it names itself in requests and dead letters. */
    public String uri() {
        return S3Listing.uri(bucket, key);
    }

    /** Whether the input's form alone names a prefix: the bucket root or a key ending in /. */
    public boolean prefixByForm() {
        return key.isEmpty() || key.endsWith("/");
    }

    /**
     * Whether the input names a manifest object (see the class doc for the rule); asks the store
     * with a HEAD request unless the form names a prefix.
     *
     * @throws IllegalArgumentException when the store refuses to say (e.g. access denied)
     */
    public boolean isManifest(S3Access access) {
        if (prefixByForm()) {
            return false;
        }
        try (S3Client s3 = client(access)) {
            s3.headObject(b -> b.bucket(bucket).key(key));
            return true;
        } catch (NoSuchKeyException e) {
            return false;
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return false;
            }
            throw new IllegalArgumentException(
                    "Cannot tell whether "
                            + uri()
                            + " is a manifest object or a prefix: HEAD answered HTTP "
                            + e.statusCode()
                            + " ("
                            + (e.awsErrorDetails() == null
                                    ? e.getMessage()
                                    : e.awsErrorDetails().errorCode())
                            + "); end a prefix with /",
                    e);
        }
    }

    /**
     * Lists one key under the prefix, so that a missing bucket or a refused listing stops the
     * command with its reason before the job starts.
     *
     * @throws IllegalArgumentException with the store's reason
     */
    public void checkListable(S3Access access) {
        try (S3Client s3 = client(access)) {
            s3.listObjectsV2(b -> b.bucket(bucket).prefix(key).maxKeys(1));
        } catch (NoSuchBucketException e) {
            throw new IllegalArgumentException("No such S3 bucket: " + bucket, e);
        } catch (S3Exception e) {
            throw new IllegalArgumentException(
                    "Cannot list "
                            + uri()
                            + ": HTTP "
                            + e.statusCode()
                            + " ("
                            + (e.awsErrorDetails() == null
                                    ? e.getMessage()
                                    : e.awsErrorDetails().errorCode())
                            + ")",
                    e);
        }
    }

    /** A client for the archive's own calls: endpoint, region and path style of {@code access}. */
    static S3Client client(S3Access access) {
        return S3ImageReader.client(access, CONNECT_TIMEOUT, CALL_TIMEOUT).build();
    }
}
