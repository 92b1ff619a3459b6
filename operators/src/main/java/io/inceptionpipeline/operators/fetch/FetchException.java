package io.inceptionpipeline.operators.fetch;

import io.inceptionpipeline.schemas.ErrorCode;

/** An image could not be fetched; {@link #code()} is the dead letter's error code. */
public final class FetchException extends RuntimeException {

    private final ErrorCode code;

    public FetchException(ErrorCode code, String message) {
        super(message, null, false, false);
        this.code = code;
    }

    public ErrorCode code() {
        return code;
    }

    /** The FetchException inside a future's failure, or a FETCH_IO_ERROR describing it. */
    public static FetchException of(Throwable error) {
        Throwable e = error;
        while ((e instanceof java.util.concurrent.CompletionException
                        || e instanceof java.util.concurrent.ExecutionException)
                && e.getCause() != null) {
            e = e.getCause();
        }
        if (e instanceof FetchException fetch) {
            return fetch;
        }
        return new FetchException(
                ErrorCode.FETCH_IO_ERROR,
                e.getClass().getSimpleName()
                        + (e.getMessage() == null ? "" : ": " + e.getMessage()));
    }
}
