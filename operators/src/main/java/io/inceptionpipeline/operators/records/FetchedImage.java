package io.inceptionpipeline.operators.records;

/**
 * The outcome of fetching a request's image: its encoded bytes, or why it could not be fetched
 * (async I/O has no side outputs, so failures travel in the record and are split off next).
 */
public class FetchedImage {
    public ImageRequest request;
    public byte[] bytes;
    public float fetchMs;

    /** {@code ErrorCode} name when the fetch failed, else null. */
    public String errorCode;

    public String errorMessage;

    public FetchedImage() {}

    public static FetchedImage ok(ImageRequest request, byte[] bytes, float fetchMs) {
        FetchedImage f = new FetchedImage();
        f.request = request;
        f.bytes = bytes;
        f.fetchMs = fetchMs;
        return f;
    }

    public static FetchedImage failed(
            ImageRequest request, String errorCode, String message, float fetchMs) {
        FetchedImage f = new FetchedImage();
        f.request = request;
        f.errorCode = errorCode;
        f.errorMessage = message;
        f.fetchMs = fetchMs;
        return f;
    }

    public boolean failed() {
        return errorCode != null;
    }
}
