package io.inceptionpipeline.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.message.MissingSchemaException;
import org.junit.jupiter.api.Test;

class AvroCodecTest {

    static Prediction prediction() {
        return Prediction.newBuilder()
                .setRequestId("req-1")
                .setUri("file:///data/cat.jpg")
                .setModel(
                        new ModelInfo(
                                "inception_resnet_v2",
                                "0.1.0",
                                "sha256:abc",
                                "onnxruntime",
                                "int8",
                                "gpu:0"))
                .setTopK(
                        List.of(
                                new ClassScore(281, "tabby", 0.5f),
                                new ClassScore(282, "tiger cat", 0.25f)))
                .setEmbedding(List.of(0.1f, -2f, 3.5f))
                .setCropMode("center")
                .setTimings(new Timings(1.5f, 2.5f, 3.5f, 400f))
                .setBatchSize(8)
                .setAttributes(Map.of("album", "holidays"))
                .setScoredAt(Instant.ofEpochMilli(1_700_000_000_123L))
                .build();
    }

    @Test
    void predictionsRoundTripInSingleObjectEncoding() throws Exception {
        Prediction p = prediction();
        byte[] bytes = AvroCodec.encode(p);
        assertThat(AvroCodec.isSingleObject(bytes)).isTrue();
        long fingerprint = ByteBuffer.wrap(bytes, 2, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertThat(fingerprint)
                .isEqualTo(SchemaNormalization.parsingFingerprint64(Prediction.getClassSchema()));
        assertThat(AvroCodec.decodePrediction(bytes)).isEqualTo(p);
    }

    @Test
    void requestsAndFailuresRoundTrip() throws Exception {
        ScoringRequest request =
                ScoringRequest.newBuilder()
                        .setRequestId("r")
                        .setUri("")
                        .setImage(ByteBuffer.wrap(new byte[] {1, 2, 3}))
                        .setEventTime(Instant.ofEpochMilli(5))
                        .build();
        assertThat(AvroCodec.decodeRequest(AvroCodec.encode(request))).isEqualTo(request);

        ScoringFailure failure =
                ScoringFailure.newBuilder()
                        .setRequestId(null)
                        .setStage(Stage.DESERIALIZE)
                        .setCode(ErrorCode.MALFORMED_MESSAGE)
                        .setMessage("not Avro")
                        .setSource(new SourcePosition("requests", 3, 42L))
                        .setOriginalValue(
                                ByteBuffer.wrap("garbage".getBytes(StandardCharsets.UTF_8)))
                        .setFailedAt(Instant.ofEpochMilli(7))
                        .build();
        assertThat(AvroCodec.decodeFailure(AvroCodec.encode(failure))).isEqualTo(failure);
    }

    @Test
    void aMessageOfAnUnknownSchemaIsRefusedAsSuch() {
        byte[] bytes = AvroCodec.encode(prediction());
        assertThatThrownBy(() -> AvroCodec.decodeRequest(bytes))
                .isInstanceOf(MissingSchemaException.class);
    }

    @Test
    void plainTextIsNotMistakenForAvro() {
        assertThat(AvroCodec.isSingleObject("file:///x.jpg".getBytes(StandardCharsets.UTF_8)))
                .isFalse();
        assertThat(AvroCodec.isSingleObject(new byte[] {(byte) 0xC3, 0x01})).isFalse();
    }

    /**
     * The evolution rule of schemas/README.md: a reader told about an older writer schema reads its
     * messages, filling new fields from their defaults.
     */
    @Test
    void readsRequestsWrittenWithAnOlderSchema() throws Exception {
        Schema v0 =
                new Schema.Parser()
                        .parse(
                                """
                {"type": "record", "name": "ScoringRequest", "namespace": "io.inceptionpipeline.schemas",
                 "fields": [{"name": "request_id", "type": "string"}, {"name": "uri", "type": "string"}]}""");
        GenericRecord old = new GenericData.Record(v0);
        old.put("request_id", "old-1");
        old.put("uri", "file:///a.png");
        ByteBuffer bytes =
                new BinaryMessageEncoder<GenericRecord>(GenericData.get(), v0).encode(old);

        var decoder = ScoringRequest.createDecoder(null);
        decoder.addSchema(v0);
        ScoringRequest read = decoder.decode(bytes);
        assertThat(read.getRequestId()).isEqualTo("old-1");
        assertThat(read.getImage()).isNull();
        assertThat(read.getAttributes()).isNull();
    }

    @Test
    void readsDeadLettersWrittenBeforeOriginalKey() throws Exception {
        Schema v1;
        try (var in = AvroCodec.class.getResourceAsStream("/avro-history/ScoringFailure-1.avsc")) {
            v1 = new Schema.Parser().parse(in);
        }
        assertThat(v1.getField("original_key")).isNull();
        GenericRecord old = new GenericData.Record(v1);
        old.put("stage", new GenericData.EnumSymbol(v1.getField("stage").schema(), "DECODE"));
        old.put("code", new GenericData.EnumSymbol(v1.getField("code").schema(), "CORRUPT_IMAGE"));
        old.put("request_id", "old-1");
        old.put("message", "truncated");
        old.put("failed_at", 1_700_000_000_000L);
        ByteBuffer bytes =
                new BinaryMessageEncoder<GenericRecord>(GenericData.get(), v1).encode(old);
        byte[] array = new byte[bytes.remaining()];
        bytes.get(array);

        ScoringFailure read = AvroCodec.decodeFailure(array);
        assertThat(read.getRequestId()).isEqualTo("old-1");
        assertThat(read.getCode()).isEqualTo(ErrorCode.CORRUPT_IMAGE);
        assertThat(read.getOriginalKey()).isNull();
        // and the current writer's messages still read
        assertThat(AvroCodec.decodeFailure(AvroCodec.encode(read)).getRequestId())
                .isEqualTo("old-1");
    }

    @Test
    void readsPredictionsWrittenBeforeCropCount() throws Exception {
        Schema v1;
        try (var in = AvroCodec.class.getResourceAsStream("/avro-history/Prediction-1.avsc")) {
            v1 = new Schema.Parser().parse(in);
        }
        assertThat(v1.getField("crop_count")).isNull();
        assertThat(v1.getField("ensemble")).isNull();
        Prediction current = prediction();
        // The current record written with the old schema: same fields but the new ones.
        GenericRecord old = new GenericData.Record(v1);
        for (Schema.Field f : v1.getFields()) {
            old.put(f.name(), GenericData.get().deepCopy(f.schema(), toGeneric(current, f.name())));
        }
        ByteBuffer bytes =
                new BinaryMessageEncoder<GenericRecord>(GenericData.get(), v1).encode(old);
        byte[] array = new byte[bytes.remaining()];
        bytes.get(array);

        Prediction read = AvroCodec.decodePrediction(array);
        assertThat(read.getRequestId()).isEqualTo("req-1");
        assertThat(read.getTopK()).isEqualTo(current.getTopK());
        assertThat(read.getCropCount()).isEqualTo(1);
        assertThat(read.getEnsemble()).isNull();
    }

    /** A prediction written before ModelInfo had engine and precision reads with both null. */
    @Test
    void readsPredictionsWrittenBeforeEngineAndPrecision() throws Exception {
        Schema v2 = history("Prediction-2.avsc");
        Schema modelV2 = v2.getField("model").schema();
        assertThat(modelV2.getField("engine")).isNull();
        assertThat(modelV2.getField("precision")).isNull();
        Prediction current = prediction();
        GenericRecord old = new GenericData.Record(v2);
        for (Schema.Field f : v2.getFields()) {
            old.put(f.name(), GenericData.get().deepCopy(f.schema(), toGeneric(current, f.name())));
        }
        ByteBuffer bytes =
                new BinaryMessageEncoder<GenericRecord>(GenericData.get(), v2).encode(old);
        byte[] array = new byte[bytes.remaining()];
        bytes.get(array);

        Prediction read = AvroCodec.decodePrediction(array);
        assertThat(read.getModel().getName()).isEqualTo("inception_resnet_v2");
        assertThat(read.getModel().getWeightsDigest()).isEqualTo("sha256:abc");
        assertThat(read.getModel().getEngine()).isNull();
        assertThat(read.getModel().getPrecision()).isNull();
        assertThat(read.getTopK()).isEqualTo(current.getTopK());
    }

    /** A consumer still on version 2 reads what this version writes, without the new fields. */
    @Test
    void aReaderOnVersion2ReadsPredictionsWithEngineAndPrecision() throws Exception {
        Schema v2 = history("Prediction-2.avsc");
        Prediction current = prediction();
        assertThat(current.getModel().getPrecision()).isEqualTo("int8");
        byte[] bytes = AvroCodec.encode(current);

        var oldReader =
                new org.apache.avro.message.BinaryMessageDecoder<GenericRecord>(
                        GenericData.get(), v2);
        oldReader.addSchema(Prediction.getClassSchema());
        GenericRecord read = oldReader.decode(bytes);
        GenericRecord model = (GenericRecord) read.get("model");
        assertThat(model.getSchema().getField("precision")).isNull();
        assertThat(model.get("name")).hasToString("inception_resnet_v2");
        assertThat(model.get("weights_digest")).hasToString("sha256:abc");
        assertThat(read.get("request_id")).hasToString("req-1");
        assertThat(read.get("crop_count")).isEqualTo(1);
    }

    /** A prediction written before ModelInfo had device reads with it null, the rest intact. */
    @Test
    void readsPredictionsWrittenBeforeDevice() throws Exception {
        Schema v3 = history("Prediction-3.avsc");
        Schema modelV3 = v3.getField("model").schema();
        assertThat(modelV3.getField("device")).isNull();
        assertThat(modelV3.getField("precision")).isNotNull();
        Prediction current = prediction();
        GenericRecord old = new GenericData.Record(v3);
        for (Schema.Field f : v3.getFields()) {
            old.put(f.name(), GenericData.get().deepCopy(f.schema(), toGeneric(current, f.name())));
        }
        ByteBuffer bytes =
                new BinaryMessageEncoder<GenericRecord>(GenericData.get(), v3).encode(old);
        byte[] array = new byte[bytes.remaining()];
        bytes.get(array);

        Prediction read = AvroCodec.decodePrediction(array);
        assertThat(read.getModel().getDevice()).isNull();
        assertThat(read.getModel().getEngine()).isEqualTo("onnxruntime");
        assertThat(read.getModel().getPrecision()).isEqualTo("int8");
        assertThat(read.getTopK()).isEqualTo(current.getTopK());
    }

    /** A consumer still on version 3 reads what this version writes, without the device. */
    @Test
    void aReaderOnVersion3ReadsPredictionsWithDevice() throws Exception {
        Schema v3 = history("Prediction-3.avsc");
        Prediction current = prediction();
        assertThat(current.getModel().getDevice()).isEqualTo("gpu:0");
        byte[] bytes = AvroCodec.encode(current);
        assertThat(AvroCodec.decodePrediction(bytes).getModel().getDevice()).isEqualTo("gpu:0");

        var oldReader =
                new org.apache.avro.message.BinaryMessageDecoder<GenericRecord>(
                        GenericData.get(), v3);
        oldReader.addSchema(Prediction.getClassSchema());
        GenericRecord model = (GenericRecord) oldReader.decode(bytes).get("model");
        assertThat(model.getSchema().getField("device")).isNull();
        assertThat(model.get("precision")).hasToString("int8");
        assertThat(model.get("engine")).hasToString("onnxruntime");
    }

    private static Schema history(String file) throws Exception {
        try (var in = AvroCodec.class.getResourceAsStream("/avro-history/" + file)) {
            assertThat(in).as(file).isNotNull();
            return new Schema.Parser().parse(in);
        }
    }

    private static Object toGeneric(Prediction p, String field) throws Exception {
        // SpecificRecord -> generic through the binary form of the field's own record
        byte[] bytes = AvroCodec.encode(p);
        Schema schema = Prediction.getClassSchema();
        GenericRecord generic =
                new org.apache.avro.message.BinaryMessageDecoder<GenericRecord>(
                                GenericData.get(), schema)
                        .decode(bytes);
        return generic.get(field);
    }

    @Test
    void multiCropPredictionsRoundTrip() throws Exception {
        Prediction p = prediction();
        p.setCropMode("ten");
        p.setCropCount(10);
        p.setEnsemble(
                List.of(
                        new EnsembleMember("inception_resnet_fmnist", "sha256:aa", 2.0),
                        new EnsembleMember("inception_resnet_fmnist", "sha256:bb", 1.0)));
        assertThat(AvroCodec.decodePrediction(AvroCodec.encode(p))).isEqualTo(p);
        ScoringFailure timeout =
                ScoringFailure.newBuilder()
                        .setRequestId("r")
                        .setStage(Stage.AGGREGATE)
                        .setCode(ErrorCode.AGGREGATION_TIMEOUT)
                        .setMessage("3 of 10 units after 120000 ms")
                        .setFailedAt(Instant.ofEpochMilli(1L))
                        .build();
        assertThat(AvroCodec.decodeFailure(AvroCodec.encode(timeout))).isEqualTo(timeout);
    }

    /** A code added by a newer writer reads as UNKNOWN, not as an error. */
    @Test
    void anUnknownErrorCodeReadsAsUnknown() throws Exception {
        String json =
                ScoringFailure.getClassSchema()
                        .toString()
                        .replace("\"UNKNOWN\"]", "\"BRAND_NEW\",\"UNKNOWN\"]");
        Schema newer = new Schema.Parser().parse(json);
        GenericRecord failure = new GenericData.Record(newer);
        failure.put("stage", new GenericData.EnumSymbol(newer.getField("stage").schema(), "FETCH"));
        failure.put(
                "code", new GenericData.EnumSymbol(newer.getField("code").schema(), "BRAND_NEW"));
        failure.put("message", "m");
        failure.put("failed_at", 1L);
        ByteBuffer bytes =
                new BinaryMessageEncoder<GenericRecord>(GenericData.get(), newer).encode(failure);

        var decoder = ScoringFailure.createDecoder(null);
        decoder.addSchema(newer);
        assertThat(decoder.decode(bytes).getCode()).isEqualTo(ErrorCode.UNKNOWN);
    }

    @Test
    void codesAddedAfterVersion3ReadAsUnknownForOldReaders() throws Exception {
        Schema v3;
        try (var in = AvroCodec.class.getResourceAsStream("/avro-history/ScoringFailure-3.avsc")) {
            v3 = new Schema.Parser().parse(in);
        }
        for (ErrorCode code :
                List.of(
                        ErrorCode.NOT_REGULAR_FILE,
                        ErrorCode.TRUNCATED_IMAGE,
                        ErrorCode.NOT_AN_IMAGE)) {
            assertThat(v3.getField("code").schema().getEnumSymbols()).doesNotContain(code.name());
            ScoringFailure current =
                    ScoringFailure.newBuilder()
                            .setRequestId("r")
                            .setStage(Stage.FETCH)
                            .setCode(code)
                            .setMessage("m")
                            .setFailedAt(Instant.ofEpochMilli(1L))
                            .build();
            byte[] bytes = AvroCodec.encode(current);
            assertThat(AvroCodec.decodeFailure(bytes).getCode()).isEqualTo(code);
            // a reader still on version 3
            var oldReader =
                    new org.apache.avro.message.BinaryMessageDecoder<GenericRecord>(
                            GenericData.get(), v3);
            oldReader.addSchema(ScoringFailure.getClassSchema());
            assertThat(oldReader.decode(bytes).get("code")).hasToString("UNKNOWN");
        }
        // and what version 3 wrote still reads
        GenericRecord old = new GenericData.Record(v3);
        old.put("stage", new GenericData.EnumSymbol(v3.getField("stage").schema(), "DECODE"));
        old.put("code", new GenericData.EnumSymbol(v3.getField("code").schema(), "CORRUPT_IMAGE"));
        old.put("message", "m");
        old.put("failed_at", 1L);
        ByteBuffer buffer =
                new BinaryMessageEncoder<GenericRecord>(GenericData.get(), v3).encode(old);
        byte[] array = new byte[buffer.remaining()];
        buffer.get(array);
        assertThat(AvroCodec.decodeFailure(array).getCode()).isEqualTo(ErrorCode.CORRUPT_IMAGE);
    }
}
