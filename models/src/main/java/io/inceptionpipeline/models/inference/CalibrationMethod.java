package io.inceptionpipeline.models.inference;

import ai.onnx.proto.OnnxMl;
import ai.onnxruntime.OrtException;
import io.inceptionpipeline.models.onnx.Int8Quantizer;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * How int8 calibration turns the values each quantized tensor takes on the calibration images into
 * the range its scale and zero point cover ({@code --calibration-method}): one class per method,
 * {@link MinMaxCalibration} and {@link PercentileCalibration}, chosen by {@link #of}.
 *
 * <pre>{@code
 * CalibrationMethod method = CalibrationMethod.of("percentile", 99.99);
 * Quantization quantization = new Quantization(images, "my photos").withMethod(method);
 * }</pre>
 */
public interface CalibrationMethod {

    /** The method unless told otherwise. */
    String DEFAULT_ID = MinMaxCalibration.ID;

    /** The percentile of {@link PercentileCalibration} unless told otherwise, as written. */
    String DEFAULT_PERCENTILE_TEXT = "99.99";

    /** The percentile of {@link PercentileCalibration} unless told otherwise. */
    double DEFAULT_PERCENTILE = Double.parseDouble(DEFAULT_PERCENTILE_TEXT);

    /** The ids {@code --calibration-method} takes. */
    List<String> IDS = List.of(MinMaxCalibration.ID, PercentileCalibration.ID);

    /**
     * The method named {@code id} ({@link #IDS}); {@code percentile} is used by {@code percentile}
     * only, and checked there.
     */
    static CalibrationMethod of(String id, double percentile) {
        return switch (id) {
            case MinMaxCalibration.ID -> new MinMaxCalibration();
            case PercentileCalibration.ID -> new PercentileCalibration(percentile);
            default ->
                    throw new IllegalArgumentException(
                            "Unknown calibration method '" + id + "': expected one of " + IDS);
        };
    }

    /**
     * The method as logged and written to the int8 graph's metadata: {@code minmax}, {@code
     * percentile 99.99}.
     */
    String describe();

    /**
     * The float graph {@code prepared} with what this method reads from each of {@code tensors} as
     * outputs.
     */
    OnnxMl.ModelProto calibrationGraph(OnnxMl.ModelProto prepared, List<String> tensors);

    /** The range of each of {@code run}'s tensors over all its images, run on its graph. */
    Map<String, Int8Quantizer.Range> ranges(Int8Calibration run) throws IOException, OrtException;
}
