package io.inceptionpipeline.operators.failure;

import io.inceptionpipeline.operators.records.ImageRequest;
import io.inceptionpipeline.operators.records.RawMessage;
import io.inceptionpipeline.schemas.ErrorCode;
import io.inceptionpipeline.schemas.ScoringFailure;
import io.inceptionpipeline.schemas.SourcePosition;
import io.inceptionpipeline.schemas.Stage;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Arrays;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.util.OutputTag;

/** Dead letters: the side output every operator sends failures to, and how they are built. */
public final class Failures {

    /** The side output of failed requests, one per operator that can fail. */
    public static final OutputTag<ScoringFailure> TAG =
            new OutputTag<>("failures", new AvroTypeInfo<>(ScoringFailure.class));

    /** At most this much of an unreadable message is kept in its dead letter. */
    public static final int MAX_ORIGINAL_BYTES = 64 * 1024;

    private Failures() {}

    private static ByteBuffer capped(byte[] bytes) {
        return ByteBuffer.wrap(Arrays.copyOf(bytes, Math.min(bytes.length, MAX_ORIGINAL_BYTES)));
    }

    /** A request that failed after it was read. */
    public static ScoringFailure of(
            ImageRequest request, Stage stage, ErrorCode code, String message) {
        return ScoringFailure.newBuilder()
                .setRequestId(request.requestId)
                .setUri(request.uri)
                .setStage(stage)
                .setCode(code)
                .setMessage(message == null ? code.name() : message)
                .setSource(
                        request.topic == null
                                ? null
                                : new SourcePosition(
                                        request.topic, request.partition, request.offset))
                .setFailedAt(Instant.now())
                .build();
    }

    /** A message that could not be read as a request; keeps (the start of) its key and bytes. */
    public static ScoringFailure unreadable(RawMessage message, ErrorCode code, String why) {
        return unreadable(message, code, why, null);
    }

    /** As {@link #unreadable(RawMessage, ErrorCode, String)}, naming the request it holds. */
    public static ScoringFailure unreadable(
            RawMessage message, ErrorCode code, String why, String requestId) {
        byte[] value = message.value == null ? new byte[0] : message.value;
        return ScoringFailure.newBuilder()
                .setRequestId(requestId)
                .setStage(Stage.DESERIALIZE)
                .setCode(code)
                .setMessage(why)
                .setSource(new SourcePosition(message.topic, message.partition, message.offset))
                .setOriginalValue(capped(value))
                .setOriginalKey(message.key == null ? null : capped(message.key))
                .setFailedAt(Instant.now())
                .build();
    }
}
