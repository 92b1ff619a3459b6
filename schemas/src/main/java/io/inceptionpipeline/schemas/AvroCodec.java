package io.inceptionpipeline.schemas;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificRecordBase;

/**
 * Avro single-object encoding of our records, the Kafka message format: the 2-byte marker {@code C3
 * 01}, the 8-byte CRC-64-AVRO fingerprint of the writer's schema, then the binary record. It needs
 * no schema registry; a reader resolves older writers' schemas it was told about (see
 * schemas/README.md).
 */
public final class AvroCodec {

    /** First two bytes of every single-object-encoded message. */
    public static final byte[] MAGIC = {(byte) 0xC3, 0x01};

    private AvroCodec() {}

    /** Whether {@code bytes} start like a single-object-encoded Avro message. */
    public static boolean isSingleObject(byte[] bytes) {
        return bytes != null && bytes.length >= 10 && bytes[0] == MAGIC[0] && bytes[1] == MAGIC[1];
    }

    public static byte[] encode(Prediction prediction) {
        return encode(Prediction.getEncoder(), prediction);
    }

    public static byte[] encode(ScoringFailure failure) {
        return encode(ScoringFailure.getEncoder(), failure);
    }

    public static byte[] encode(ScoringRequest request) {
        return encode(ScoringRequest.getEncoder(), request);
    }

    /** Decodes a prediction; throws {@link IOException} on a malformed or unknown message. */
    public static Prediction decodePrediction(byte[] bytes) throws IOException {
        return PREDICTION_DECODER.decode(bytes);
    }

    /** Decodes a dead letter, written with this or an older version of its schema. */
    public static ScoringFailure decodeFailure(byte[] bytes) throws IOException {
        return FAILURE_DECODER.decode(bytes);
    }

    /**
     * Every earlier version of ScoringFailure, kept in {@code avro-history/} (schemas/README.md).
     */
    private static final BinaryMessageDecoder<ScoringFailure> FAILURE_DECODER =
            withHistory(
                    ScoringFailure.createDecoder(null),
                    "ScoringFailure-1.avsc",
                    "ScoringFailure-2.avsc",
                    "ScoringFailure-3.avsc");

    /** Every earlier version of Prediction, kept in {@code avro-history/}. */
    private static final BinaryMessageDecoder<Prediction> PREDICTION_DECODER =
            withHistory(
                    Prediction.createDecoder(null),
                    "Prediction-1.avsc",
                    "Prediction-2.avsc",
                    "Prediction-3.avsc");

    private static <T> BinaryMessageDecoder<T> withHistory(
            BinaryMessageDecoder<T> decoder, String... versions) {
        for (String version : versions) {
            try (java.io.InputStream in =
                    AvroCodec.class.getResourceAsStream("/avro-history/" + version)) {
                if (in == null) {
                    throw new IllegalStateException("Missing schema history " + version);
                }
                decoder.addSchema(new org.apache.avro.Schema.Parser().parse(in));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return decoder;
    }

    /**
     * Decodes a request. Throws {@link org.apache.avro.message.MissingSchemaException} when the
     * writer's schema fingerprint is unknown, {@link IOException} or {@link
     * org.apache.avro.AvroRuntimeException} when the bytes are malformed.
     */
    public static ScoringRequest decodeRequest(byte[] bytes) throws IOException {
        return REQUEST_DECODER.decode(bytes);
    }

    private static final BinaryMessageDecoder<ScoringRequest> REQUEST_DECODER =
            ScoringRequest.getDecoder();

    private static <T extends SpecificRecordBase> byte[] encode(
            BinaryMessageEncoder<T> encoder, T record) {
        try {
            ByteBuffer buffer = encoder.encode(record);
            return Arrays.copyOfRange(
                    buffer.array(),
                    buffer.arrayOffset() + buffer.position(),
                    buffer.arrayOffset() + buffer.limit());
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot encode " + record.getSchema().getName(), e);
        }
    }
}
