package io.inceptionpipeline.operators.decode;

/** An image could not be decoded; {@link #reason()} says why in a stable, machine-readable way. */
public final class DecodeException extends Exception {

    /** Why decoding failed. */
    public enum Reason {
        /** Zero bytes. */
        EMPTY,
        /** Not a format we decode (no reader recognised the bytes), and not text either. */
        UNSUPPORTED_FORMAT,
        /** Text, such as HTML, JSON or an error page, where an image was expected. */
        NOT_AN_IMAGE,
        /** Declared pixel count over the configured cap (decompression bomb guard). */
        TOO_MANY_PIXELS,
        /** The data ends before the image does. */
        TRUNCATED,
        /** The reader failed on the data: corrupt. */
        CORRUPT
    }

    private final Reason reason;

    public DecodeException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public DecodeException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
