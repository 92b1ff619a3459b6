package io.inceptionpipeline.operators.deserialize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.inceptionpipeline.operators.failure.Failures;
import io.inceptionpipeline.operators.records.ImageRequest;
import io.inceptionpipeline.operators.records.RawMessage;
import io.inceptionpipeline.schemas.AvroCodec;
import io.inceptionpipeline.schemas.ErrorCode;
import io.inceptionpipeline.schemas.ScoringFailure;
import io.inceptionpipeline.schemas.ScoringRequest;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RequestReaderTest {

    private final RequestReader reader = new RequestReader();

    static RawMessage message(String key, byte[] value) {
        return new RawMessage(
                "requests",
                2,
                41,
                0,
                key == null ? null : key.getBytes(StandardCharsets.UTF_8),
                value);
    }

    @Test
    void readsAvroRequests() throws Exception {
        byte[] value =
                AvroCodec.encode(
                        ScoringRequest.newBuilder()
                                .setRequestId("r-1")
                                .setUri(" https://example.com/a.jpg ")
                                .setAttributes(Map.of("k", "v"))
                                .setEventTime(Instant.ofEpochMilli(77))
                                .build());
        ImageRequest request = reader.read(message("ignored", value));
        assertThat(request.requestId).isEqualTo("r-1");
        assertThat(request.uri).isEqualTo("https://example.com/a.jpg");
        assertThat(request.attributes).containsEntry("k", "v");
        assertThat(request.eventTimeMs).isEqualTo(77);
        assertThat(request.topic).isEqualTo("requests");
        assertThat(request.partition).isEqualTo(2);
        assertThat(request.offset).isEqualTo(41);
    }

    @Test
    void inlineImagesNeedNoUri() throws Exception {
        byte[] value =
                AvroCodec.encode(
                        ScoringRequest.newBuilder()
                                .setRequestId("r-2")
                                .setUri("")
                                .setImage(ByteBuffer.wrap(new byte[] {9, 8, 7}))
                                .build());
        ImageRequest request = reader.read(message(null, value));
        assertThat(request.uri).isEqualTo("inline:");
        assertThat(request.inlineImage).containsExactly(9, 8, 7);
    }

    @Test
    void readsPlainTextUrisWithTheKeyOrThePositionAsId() throws Exception {
        assertThat(
                        reader.read(
                                        message(
                                                "k-1",
                                                "file:///a.jpg\n".getBytes(StandardCharsets.UTF_8)))
                                .requestId)
                .isEqualTo("k-1");
        ImageRequest keyless =
                reader.read(message(null, "file:///a.jpg".getBytes(StandardCharsets.UTF_8)));
        assertThat(keyless.requestId).isEqualTo("requests-2-41");
        assertThat(keyless.uri).isEqualTo("file:///a.jpg");
    }

    @Test
    void refusesWhatIsNotARequestWithAPreciseCode() {
        byte[] valid =
                AvroCodec.encode(
                        ScoringRequest.newBuilder().setRequestId("x").setUri("file:///x").build());
        assertCode(new byte[0], ErrorCode.MALFORMED_MESSAGE, "Empty message");
        assertCode(
                Arrays.copyOf(valid, 12),
                ErrorCode.MALFORMED_MESSAGE,
                "Malformed Avro ScoringRequest");
        assertCode(
                new byte[] {(byte) 0xC3, 0x01, 1, 2, 3, 4, 5, 6, 7, 8, 0},
                ErrorCode.UNKNOWN_SCHEMA,
                "not a known ScoringRequest");
        assertCode(
                new byte[] {(byte) 0xff, (byte) 0xfe, 0x41},
                ErrorCode.MALFORMED_MESSAGE,
                "Neither Avro");
        assertCode("   ".getBytes(StandardCharsets.UTF_8), ErrorCode.MISSING_URI, "holds no URI");
        assertCode(
                "a.jpg\nb.jpg".getBytes(StandardCharsets.UTF_8),
                ErrorCode.MALFORMED_MESSAGE,
                "one URI on one line");
        assertCode(
                AvroCodec.encode(
                        ScoringRequest.newBuilder().setRequestId("").setUri("file:///x").build()),
                ErrorCode.MALFORMED_MESSAGE,
                "empty request_id");
        assertCode(
                AvroCodec.encode(ScoringRequest.newBuilder().setRequestId("r").setUri(" ").build()),
                ErrorCode.MISSING_URI,
                "neither a uri nor inline image bytes");
    }

    /** Issue 13, item 8: a message that names its request gets a dead letter that does too. */
    @Test
    void aMessageWithAnIdButNoUriNamesItsRequest() {
        assertId(
                message(
                        null,
                        AvroCodec.encode(
                                ScoringRequest.newBuilder()
                                        .setRequestId("r-1")
                                        .setUri("")
                                        .build())),
                "r-1");
        // an archive manifest line "some-id," arrives keyed by its id with an empty value
        assertId(message("some-id", new byte[0]), "some-id");
        assertId(message("k", " ".getBytes(StandardCharsets.UTF_8)), "k");
    }

    private void assertId(RawMessage raw, String id) {
        assertThatThrownBy(() -> reader.read(raw))
                .isInstanceOf(RequestReader.UnreadableException.class)
                .satisfies(
                        e -> {
                            var unreadable = (RequestReader.UnreadableException) e;
                            assertThat(unreadable.code()).isEqualTo(ErrorCode.MISSING_URI);
                            assertThat(unreadable.requestId()).isEqualTo(id);
                            ScoringFailure letter =
                                    Failures.unreadable(
                                            raw,
                                            unreadable.code(),
                                            unreadable.getMessage(),
                                            unreadable.requestId());
                            assertThat(letter.getRequestId()).isEqualTo(id);
                        });
    }

    private void assertCode(byte[] value, ErrorCode code, String message) {
        assertThatThrownBy(() -> reader.read(message(null, value)))
                .isInstanceOf(RequestReader.UnreadableException.class)
                .hasMessageContaining(message)
                .satisfies(
                        e ->
                                assertThat(((RequestReader.UnreadableException) e).code())
                                        .isEqualTo(code));
    }
}
