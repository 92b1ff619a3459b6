package io.inceptionpipeline.models.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.onnx.proto.OnnxMl;
import io.inceptionpipeline.models.onnx.Int8Quantizer;
import io.inceptionpipeline.models.onnx.OnnxExport;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Percentile calibration on ONNX Runtime against a direct computation (sort every value, take the
 * nearest ranks) on known data with planted outliers, over several batches so the merge of the
 * batches' tails is exercised.
 */
class PercentileCalibrationTest {

    static final int SIZE = 4;
    static final int PER_IMAGE = 3 * SIZE * SIZE;
    static final int COUNT = 10;
    static final int BATCH = 3; // batches of 3, 3, 3, 1
    static final String RELU = "relu";

    /** image → Relu → Identity → output; the image and the Relu output are calibrated. */
    static OnnxMl.ModelProto graph() {
        OnnxMl.TypeProto floats =
                OnnxMl.TypeProto.newBuilder()
                        .setTensorType(
                                OnnxMl.TypeProto.Tensor.newBuilder()
                                        .setElemType(OnnxMl.TensorProto.DataType.FLOAT.getNumber()))
                        .build();
        OnnxMl.GraphProto graph =
                OnnxMl.GraphProto.newBuilder()
                        .setName("relu")
                        .addInput(
                                OnnxMl.ValueInfoProto.newBuilder()
                                        .setName(OnnxExport.INPUT)
                                        .setType(floats))
                        .addNode(
                                OnnxMl.NodeProto.newBuilder()
                                        .setOpType("Relu")
                                        .setName("relu")
                                        .addInput(OnnxExport.INPUT)
                                        .addOutput(RELU))
                        .addNode(
                                OnnxMl.NodeProto.newBuilder()
                                        .setOpType("Identity")
                                        .setName("out")
                                        .addInput(RELU)
                                        .addOutput("out"))
                        .addOutput(
                                OnnxMl.ValueInfoProto.newBuilder().setName("out").setType(floats))
                        .build();
        return OnnxMl.ModelProto.newBuilder()
                .setIrVersion(8)
                .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setVersion(17))
                .setGraph(graph)
                .build();
    }

    /** Values in [-1, 1], with outliers 1000 (image 3) and -500 (image 8). */
    static float[] images() {
        Random random = new Random(7);
        float[] images = new float[COUNT * PER_IMAGE];
        for (int i = 0; i < images.length; i++) {
            images[i] = random.nextFloat() * 2 - 1;
        }
        images[3 * PER_IMAGE] = 1000f;
        images[8 * PER_IMAGE + 5] = -500f;
        return images;
    }

    static Map<String, Int8Quantizer.Range> ranges(CalibrationMethod method) throws Exception {
        return Int8Calibration.ranges(
                graph(),
                List.of(OnnxExport.INPUT, RELU),
                images(),
                COUNT,
                SIZE,
                BATCH,
                1,
                Device.cpu(),
                method);
    }

    /** The k-th smallest and k-th largest of {@code values}, k = ⌊n·(100 − P)/100⌋ + 1. */
    static Int8Quantizer.Range direct(float[] values, double percentile) {
        float[] sorted = values.clone();
        Arrays.sort(sorted);
        int k = (int) Math.floor(sorted.length * (100 - percentile) / 100) + 1;
        return new Int8Quantizer.Range(sorted[k - 1], sorted[sorted.length - k]);
    }

    static float[] relu(float[] values) {
        float[] out = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = Math.max(0f, values[i]);
        }
        return out;
    }

    @Test
    void minMaxStretchesToThePlantedOutliers() throws Exception {
        Map<String, Int8Quantizer.Range> ranges = ranges(new MinMaxCalibration());
        assertThat(ranges.get(OnnxExport.INPUT)).isEqualTo(new Int8Quantizer.Range(-500f, 1000f));
        assertThat(ranges.get(RELU).max()).isEqualTo(1000f);
    }

    @Test
    void percentileMatchesTheDirectComputationAndExcludesTheOutliers() throws Exception {
        // 480 values: at P = 99, k = 5, so the 5th largest and 5th smallest.
        Map<String, Int8Quantizer.Range> ranges = ranges(new PercentileCalibration(99));
        Int8Quantizer.Range image = direct(images(), 99);
        assertThat(ranges.get(OnnxExport.INPUT)).isEqualTo(image);
        assertThat(ranges.get(RELU)).isEqualTo(direct(relu(images()), 99));
        assertThat(image.max()).isLessThan(1f);
        assertThat(image.min()).isGreaterThan(-1f);
        // P = 100 is min/max.
        assertThat(ranges(new PercentileCalibration(100)))
                .isEqualTo(ranges(new MinMaxCalibration()));
    }

    @Test
    void mergingKeepsTheLargestOfBoth() {
        float[] merged =
                PercentileCalibration.largest(new float[] {9, 5, 1}, new float[] {8, 7, 5, -2}, 5);
        assertThat(merged).containsExactly(9f, 8f, 7f, 5f, 5f);
        assertThat(PercentileCalibration.largest(new float[] {3}, new float[] {}, 4))
                .containsExactly(3f);
    }

    /**
     * The memory cap, at Inception-ResNet-v2's size (42,750,000 quantized activations per image, as
     * one tensor here): 512 images at 99.99 keep 2 × 2,188,801 values; at 99.9 ten times as many,
     * under the cap; at 99 the calibration is refused, saying what to change.
     */
    @Test
    void refusesACalibrationThatWouldKeepTooManyValues() throws Exception {
        Map<String, Long> perImage = Map.of("activations", 42_750_000L);
        assertThat(new PercentileCalibration(99.99).tailLengths(perImage, 512))
                .containsExactly(Map.entry("activations", 2_188_801));
        assertThat(new PercentileCalibration(99.9).tailLengths(perImage, 512).get("activations"))
                .isEqualTo(21_888_000)
                .matches(k -> 2L * k <= PercentileCalibration.MAX_KEPT_VALUES);
        assertThatThrownBy(() -> new PercentileCalibration(99).tailLengths(perImage, 512))
                .isInstanceOf(java.io.IOException.class)
                .hasMessageContaining(
                        "at 99 on 512 images would keep 437,760,002 activation values")
                .hasMessageContaining("limit 67,108,864")
                .hasMessageContaining("--calibration-count");
        // The cap is over all tensors together: two such tensors at 99.9 pass it.
        assertThatThrownBy(
                        () ->
                                new PercentileCalibration(99.9)
                                        .tailLengths(
                                                Map.of("a", 42_750_000L, "b", 42_750_000L), 512))
                .hasMessageContaining("would keep 87,552,000 activation values");
    }

    @Test
    void thePercentileIsChecked() {
        for (double bad : new double[] {90, 80, 100.01, Double.NaN}) {
            assertThatThrownBy(() -> new PercentileCalibration(bad))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("above 90 and at most 100")
                    .hasMessageContaining("got " + bad);
        }
        assertThat(new PercentileCalibration(99.99).describe()).isEqualTo("percentile 99.99");
        assertThat(CalibrationMethod.of("percentile", 99.9))
                .isEqualTo(new PercentileCalibration(99.9));
        assertThat(CalibrationMethod.of("minmax", 99.9)).isEqualTo(new MinMaxCalibration());
        assertThatThrownBy(() -> CalibrationMethod.of("entropy", 99.9))
                .hasMessageContaining("expected one of [minmax, percentile]");
    }
}
