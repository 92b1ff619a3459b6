package io.inceptionpipeline.operators.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.inceptionpipeline.models.inference.ScoringModel;
import io.inceptionpipeline.models.verify.KnownAnswerException;
import io.inceptionpipeline.operators.batch.BatchInferenceFunction;
import io.inceptionpipeline.operators.batch.BatchScorer;
import io.inceptionpipeline.operators.batch.BucketKeys;
import io.inceptionpipeline.operators.records.CroppedImage;
import io.inceptionpipeline.operators.records.ImageRequest;
import io.inceptionpipeline.schemas.Prediction;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The job's inference operator opens a real model (the shipped Fashion-MNIST one) in {@code
 * open()}: it scores when the engine gives the known answers, and the subtask fails in {@code
 * open()}, naming the cause, when it does not (one weight corrupted on purpose).
 */
class ModelScorerFactoryTest {

    /** A black 28×28 center crop of the request {@code id} ({@code file:///id}). */
    static CroppedImage blankCrop(String id) {
        CroppedImage crop = new CroppedImage();
        crop.request = new ImageRequest();
        crop.request.requestId = id;
        crop.request.uri = "file:///" + id;
        crop.width = 28;
        crop.height = 28;
        crop.pixels = new byte[3 * 28 * 28];
        crop.cropMode = "center";
        return crop;
    }

    static KeyedOneInputStreamOperatorTestHarness<Integer, CroppedImage, Prediction> harness(
            String engine) throws Exception {
        ModelScorerFactory factory =
                new ModelScorerFactory(
                        "inception_resnet_fmnist", null, 42, engine, 3, false, 0, "test");
        return new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new BatchInferenceFunction(2, 100, factory)),
                new BucketKeys(1, 128),
                Types.INT);
    }

    /**
     * {@code --precision int8} in the job: each subtask quantizes in {@code open()} (calibrated on
     * the shipped model's training images, by percentile) and scores like the float model; a wrong
     * float engine still fails {@code open()}, since the int8 graph is only built from a verified
     * float one.
     */
    @org.junit.jupiter.api.Test
    void int8SubtasksScoreAndRefuseAWrongFloatGraph() throws Exception {
        ModelScorerFactory factory =
                new ModelScorerFactory(
                        "inception_resnet_fmnist",
                        null,
                        42,
                        "OnnxRuntime",
                        3,
                        true,
                        0,
                        "test",
                        "int8",
                        null,
                        64,
                        "percentile",
                        99.9);
        BatchScorer scorer = factory.open(0);
        try {
            CroppedImage crop = blankCrop("a");
            java.util.List<Prediction> out = scorer.score(java.util.List.of(crop, crop), 0);
            assertThat(out).hasSize(2);
            assertThat(out.get(0).getTopK()).hasSize(3);
            assertThat(out.get(0).getEmbedding()).hasSize(256);
            // each prediction says how it was computed
            assertThat(out.get(0).getModel().getPrecision()).isEqualTo("int8");
            assertThat(out.get(0).getModel().getEngine()).isEqualTo("onnxruntime");
            assertThat(out.get(0).getModel().getDevice()).isEqualTo("cpu");
        } finally {
            scorer.close();
        }
        System.setProperty(ScoringModel.FAULT_INJECTION, "corrupt-weight");
        try {
            assertThatThrownBy(() -> factory.open(0))
                    .isInstanceOf(KnownAnswerException.class)
                    .hasMessageContaining("on engine OnnxRuntime");
        } finally {
            System.clearProperty(ScoringModel.FAULT_INJECTION);
        }
    }

    /** {@code --precision fp16} in the job: its predictions say fp16, and the engine. */
    @org.junit.jupiter.api.Test
    void fp16SubtasksRecordTheirPrecision() throws Exception {
        ModelScorerFactory factory =
                new ModelScorerFactory(
                        "inception_resnet_fmnist",
                        null,
                        42,
                        "auto",
                        3,
                        false,
                        0,
                        "test",
                        "fp16",
                        null,
                        128);
        BatchScorer scorer = factory.open(0);
        try {
            CroppedImage crop = blankCrop("a");
            Prediction out = scorer.score(java.util.List.of(crop), 0).get(0);
            assertThat(out.getModel().getPrecision()).isEqualTo("fp16");
            assertThat(out.getModel().getEngine()).isEqualTo("onnxruntime");
            assertThat(out.getModel().getDevice()).isEqualTo("cpu");
            assertThat(out.getTopK()).hasSize(3);
        } finally {
            scorer.close();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"MXNet", "PyTorch", "OnnxRuntime", "auto"})
    void scoresWithAVerifiedEngineAndFailsOpenWithAWrongOne(String engine) throws Exception {
        try (var h = harness(engine)) {
            h.open();
            for (String id : new String[] {"a", "b"}) {
                CroppedImage crop = blankCrop(id);
                h.processElement(new StreamRecord<>(crop));
            }
            assertThat(h.extractOutputValues()).hasSize(2);
            Prediction first = h.extractOutputValues().get(0);
            assertThat(first.getModel().getPrecision()).isEqualTo("fp32");
            assertThat(first.getModel().getDevice()).isEqualTo("cpu");
            assertThat(first.getModel().getEngine())
                    .isEqualTo(engine.equals("auto") ? "onnxruntime" : engine.toLowerCase());
        }
        System.setProperty(ScoringModel.FAULT_INJECTION, "corrupt-weight");
        try (var h = harness(engine)) {
            assertThatThrownBy(h::open)
                    .isInstanceOf(KnownAnswerException.class)
                    .hasMessageContaining(
                            "Known-answer check failed for model inception_resnet_fmnist")
                    .hasMessageContaining(
                            engine.equals("auto")
                                    ? "--engine auto found no engine that computes right here"
                                    : "on engine " + engine);
        } finally {
            System.clearProperty(ScoringModel.FAULT_INJECTION);
        }
    }
}
