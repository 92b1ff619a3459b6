package io.inceptionpipeline.models.inference;

import ai.onnx.proto.OnnxMl;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.inceptionpipeline.models.onnx.Int8Quantizer;
import java.io.IOException;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Min/max calibration ({@code --calibration-method minmax}, the default): each tensor's range is
 * its smallest and largest value over all calibration images. The graph reduces every tensor to its
 * minimum and maximum where it is computed ({@link Int8Quantizer#calibrationModel}), so nothing but
 * two floats per tensor and batch is copied out. One outlier activation stretches the range.
 */
public record MinMaxCalibration() implements CalibrationMethod {

    /** The id of {@code --calibration-method}. */
    public static final String ID = "minmax";

    @Override
    public String describe() {
        return ID;
    }

    @Override
    public OnnxMl.ModelProto calibrationGraph(OnnxMl.ModelProto prepared, List<String> tensors) {
        return Int8Quantizer.calibrationModel(prepared, tensors);
    }

    @Override
    public Map<String, Int8Quantizer.Range> ranges(Int8Calibration run)
            throws IOException, OrtException {
        Set<String> outputs = new HashSet<>();
        for (String tensor : run.tensors()) {
            outputs.add(Int8Quantizer.minimumOf(tensor));
            outputs.add(Int8Quantizer.maximumOf(tensor));
        }
        Map<String, Int8Quantizer.Range> ranges = new LinkedHashMap<>();
        for (int start = 0; start < run.count(); start += run.batch()) {
            int n = Math.min(run.batch(), run.count() - start);
            try (OrtSession.Result result = run.run(start, n, Map.of(), outputs)) {
                for (String tensor : run.tensors()) {
                    Int8Quantizer.Range range =
                            new Int8Quantizer.Range(
                                    Int8Calibration.floats(result, Int8Quantizer.minimumOf(tensor))[
                                            0],
                                    Int8Calibration.floats(result, Int8Quantizer.maximumOf(tensor))[
                                            0]);
                    ranges.merge(tensor, range, Int8Quantizer.Range::union);
                }
            }
        }
        return ranges;
    }

    @Override
    public String toString() {
        return describe();
    }
}
