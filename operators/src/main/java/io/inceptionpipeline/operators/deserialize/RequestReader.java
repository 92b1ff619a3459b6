package io.inceptionpipeline.operators.deserialize;

import io.inceptionpipeline.operators.records.ImageRequest;
import io.inceptionpipeline.operators.records.RawMessage;
import io.inceptionpipeline.schemas.AvroCodec;
import io.inceptionpipeline.schemas.ErrorCode;
import io.inceptionpipeline.schemas.ScoringRequest;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import org.apache.avro.message.MissingSchemaException;

/**
 * Reads a Kafka message as a request: Avro single-object {@code ScoringRequest}, or plain UTF-8
 * text holding one URI. Plain-text requests take the message key as their id, or {@code
 * topic-partition-offset} when there is none, so a replayed message keeps its id.
 */
public final class RequestReader {

    /** Longest plain-text URI accepted. */
    public static final int MAX_URI_CHARS = 8192;

    /**
     * The message is not a request; {@link #code()} says why, {@link #requestId()} names it when
     * the message does.
     */
    public static final class UnreadableException extends Exception {
        private final ErrorCode code;
        private final String requestId;

        UnreadableException(ErrorCode code, String message) {
            this(code, message, null);
        }

        UnreadableException(ErrorCode code, String message, String requestId) {
            super(message);
            this.code = code;
            this.requestId = requestId;
        }

        public ErrorCode code() {
            return code;
        }

        /** The request id the message holds, or null when it holds none or cannot be read. */
        public String requestId() {
            return requestId;
        }
    }

    public ImageRequest read(RawMessage message) throws UnreadableException {
        byte[] value = message.value;
        if ((value == null || value.length == 0) && keyOf(message).isEmpty()) {
            throw new UnreadableException(ErrorCode.MALFORMED_MESSAGE, "Empty message");
        }
        value = value == null ? new byte[0] : value; // a keyed empty message: text, no URI
        ImageRequest request =
                AvroCodec.isSingleObject(value) ? readAvro(value) : readText(message, value);
        request.topic = message.topic;
        request.partition = message.partition;
        request.offset = message.offset;
        return request;
    }

    private static ImageRequest readAvro(byte[] value) throws UnreadableException {
        ScoringRequest avro;
        try {
            avro = AvroCodec.decodeRequest(value);
        } catch (MissingSchemaException e) {
            throw new UnreadableException(
                    ErrorCode.UNKNOWN_SCHEMA,
                    "Avro message written with a schema that is not a known ScoringRequest version: "
                            + e.getMessage());
        } catch (Exception e) { // IOException, AvroRuntimeException, index errors on garbage
            throw new UnreadableException(
                    ErrorCode.MALFORMED_MESSAGE,
                    "Malformed Avro ScoringRequest: "
                            + e.getClass().getSimpleName()
                            + ": "
                            + e.getMessage());
        }
        if (avro.getRequestId() == null || avro.getRequestId().isBlank()) {
            throw new UnreadableException(
                    ErrorCode.MALFORMED_MESSAGE, "ScoringRequest has an empty request_id");
        }
        ImageRequest request = new ImageRequest();
        request.requestId = avro.getRequestId();
        ByteBuffer image = avro.getImage();
        if (image != null) {
            request.inlineImage = new byte[image.remaining()];
            image.duplicate().get(request.inlineImage);
        }
        String uri = avro.getUri() == null ? "" : avro.getUri().strip();
        if (uri.isEmpty() && request.inlineImage == null) {
            throw new UnreadableException(
                    ErrorCode.MISSING_URI,
                    "ScoringRequest "
                            + request.requestId
                            + " has neither a uri nor inline image bytes",
                    request.requestId);
        }
        request.uri = uri.isEmpty() ? "inline:" : uri;
        request.attributes =
                avro.getAttributes() == null ? null : new HashMap<>(avro.getAttributes());
        request.eventTimeMs = avro.getEventTime() == null ? -1 : avro.getEventTime().toEpochMilli();
        return request;
    }

    private static ImageRequest readText(RawMessage message, byte[] value)
            throws UnreadableException {
        String text;
        try {
            CharBuffer chars =
                    StandardCharsets.UTF_8
                            .newDecoder()
                            .onMalformedInput(CodingErrorAction.REPORT)
                            .onUnmappableCharacter(CodingErrorAction.REPORT)
                            .decode(ByteBuffer.wrap(value));
            text = chars.toString().strip();
        } catch (CharacterCodingException e) {
            throw new UnreadableException(
                    ErrorCode.MALFORMED_MESSAGE,
                    "Neither Avro single-object encoding nor UTF-8 text");
        }
        String key = keyOf(message);
        String requestId =
                key.isEmpty()
                        ? message.topic + "-" + message.partition + "-" + message.offset
                        : key;
        if (text.isEmpty()) {
            throw new UnreadableException(
                    ErrorCode.MISSING_URI, "Plain-text message holds no URI", requestId);
        }
        if (text.length() > MAX_URI_CHARS || text.chars().anyMatch(Character::isISOControl)) {
            throw new UnreadableException(
                    ErrorCode.MALFORMED_MESSAGE,
                    "A plain-text message holds one URI on one line, at most "
                            + MAX_URI_CHARS
                            + " characters");
        }
        ImageRequest request = new ImageRequest();
        request.requestId = requestId;
        request.uri = text;
        return request;
    }

    private static String keyOf(RawMessage message) {
        return message.key == null ? "" : new String(message.key, StandardCharsets.UTF_8).strip();
    }
}
