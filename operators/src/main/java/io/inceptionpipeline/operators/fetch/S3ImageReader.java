package io.inceptionpipeline.operators.fetch;

import io.inceptionpipeline.schemas.ErrorCode;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Reads S3 objects (blocking; {@link ImageFetcher} runs it on its reader pool) with the AWS SDK v2
 * and the JDK's URLConnection. Credentials come from the SDK's default chain: environment ({@code
 * AWS_ACCESS_KEY_ID}...), system properties ({@code aws.accessKeyId}...), profile, web identity,
 * container and instance roles. An object larger than the cap is refused from its Content-Length
 * before its body is read, and the body is cut off at the cap as it arrives in any case.
 */
public final class S3ImageReader implements AutoCloseable {

    private final S3Client s3;
    private final long maxBytes;

    public S3ImageReader(S3Access access, long maxBytes, Duration connect, Duration total) {
        this.maxBytes = maxBytes;
        this.s3 = client(access, connect, total).build();
    }

    /** A client for {@code access}: endpoint, region and path style; the default credentials. */
    public static S3ClientBuilder client(S3Access access, Duration connect, Duration total) {
        S3ClientBuilder builder =
                S3Client.builder()
                        .httpClientBuilder(
                                UrlConnectionHttpClient.builder()
                                        .connectionTimeout(connect)
                                        .socketTimeout(total))
                        .overrideConfiguration(c -> c.apiCallTimeout(total))
                        .credentialsProvider(DefaultCredentialsProvider.builder().build())
                        .region(region(access))
                        .forcePathStyle(access.pathStyle())
                        // Compatible stores may not know the newer default checksum trailers.
                        .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                        .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
        if (access.endpoint() != null) {
            builder.endpointOverride(URI.create(access.endpoint()));
        }
        return builder;
    }

    private static Region region(S3Access access) {
        if (access.region() != null) {
            return Region.of(access.region());
        }
        try {
            return new DefaultAwsRegionProviderChain().getRegion();
        } catch (SdkClientException e) {
            return Region.US_EAST_1; // S3's home region; a compatible store ignores it
        }
    }

    /** The object's bytes; throws {@link FetchException} with the dead letter's code. */
    public byte[] read(UriPolicy.S3Location location) {
        GetObjectRequest request =
                GetObjectRequest.builder().bucket(location.bucket()).key(location.key()).build();
        try (ResponseInputStream<GetObjectResponse> body = s3.getObject(request)) {
            Long declared = body.response().contentLength();
            if (declared != null && declared > maxBytes) {
                body.abort(); // do not drain the rest of the body
                throw new FetchException(
                        ErrorCode.TOO_LARGE,
                        "S3 object has " + declared + " bytes, over the limit of " + maxBytes);
            }
            byte[] bytes = body.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
            if (bytes.length > maxBytes) {
                body.abort();
                throw new FetchException(
                        ErrorCode.TOO_LARGE, "S3 object is over the limit of " + maxBytes);
            }
            return bytes;
        } catch (NoSuchKeyException e) {
            throw new FetchException(ErrorCode.NOT_FOUND, "No such S3 object: " + where(location));
        } catch (NoSuchBucketException e) {
            throw new FetchException(
                    ErrorCode.NOT_FOUND, "No such S3 bucket: " + location.bucket());
        } catch (S3Exception e) {
            throw classify(e, location);
        } catch (ApiCallTimeoutException e) {
            throw new FetchException(ErrorCode.TIMEOUT, "S3 read did not complete in time");
        } catch (SdkClientException | IOException e) {
            throw new FetchException(
                    ErrorCode.FETCH_IO_ERROR,
                    "Cannot read " + where(location) + ": " + e.getMessage());
        }
    }

    private static FetchException classify(S3Exception e, UriPolicy.S3Location location) {
        String code = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
        int status = e.statusCode();
        if (status == 404) {
            return new FetchException(
                    ErrorCode.NOT_FOUND, "S3 " + code + " (HTTP 404): " + where(location));
        }
        // 403: the job's credentials may not read the object (AccessDenied), or they are wrong
        // (InvalidAccessKeyId, SignatureDoesNotMatch); the S3 error code says which.
        return new FetchException(
                ErrorCode.HTTP_STATUS,
                "S3 " + code + " (HTTP " + status + ") reading " + where(location));
    }

    private static String where(UriPolicy.S3Location location) {
        return "s3://" + location.bucket() + "/" + location.key();
    }

    @Override
    public void close() {
        s3.close();
    }
}
