package io.inceptionpipeline.models.inference;

import ai.onnx.proto.OnnxMl;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.inceptionpipeline.models.onnx.Int8Quantizer;
import io.inceptionpipeline.models.onnx.OnnxExport;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Measures the range of every tensor {@link Int8Quantizer} quantizes: the float graph, with each
 * tensor's minimum and maximum as extra outputs, runs on ONNX Runtime over the calibration images,
 * and the extremes over all of them are kept (min/max calibration). Uses ONNX Runtime's own Java
 * API: DJL's wrapper returns only the outputs a model declares at load and cannot load a graph held
 * in memory.
 *
 * <pre>{@code
 * Map<String, Int8Quantizer.Range> ranges =
 *         Int8Calibration.ranges(prepared, tensors, images, count, 299, 8, 2);
 * }</pre>
 */
final class Int8Calibration {

    private Int8Calibration() {}

    /**
     * The range of each of {@code tensors} over {@code count} normalized images ({@code 3 × size ×
     * size} floats each, back to back in {@code images}), run {@code batch} at a time on {@code
     * device} with {@code threads} intra-op threads.
     */
    static Map<String, Int8Quantizer.Range> ranges(
            OnnxMl.ModelProto prepared,
            List<String> tensors,
            float[] images,
            int count,
            int size,
            int batch,
            int threads,
            ai.djl.Device device)
            throws IOException {
        OnnxMl.ModelProto model = Int8Quantizer.calibrationModel(prepared, tensors);
        Set<String> outputs = new HashSet<>();
        for (String tensor : tensors) {
            outputs.add(Int8Quantizer.minimumOf(tensor));
            outputs.add(Int8Quantizer.maximumOf(tensor));
        }
        Map<String, Int8Quantizer.Range> ranges = new LinkedHashMap<>();
        int perImage = 3 * size * size;
        // DJL's engine creates the process's one environment with its thread settings; a plain
        // getEnvironment() first would make DJL's creation fail.
        ai.djl.engine.Engine.getEngine(OnnxRuntimeBackend.ENGINE);
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options =
                        OnnxRuntimeBackend.sessionOptions(threads, device);
                OrtSession session = env.createSession(model.toByteArray(), options)) {
            for (int start = 0; start < count; start += batch) {
                int n = Math.min(batch, count - start);
                FloatBuffer input = FloatBuffer.wrap(images, start * perImage, n * perImage);
                try (OnnxTensor x =
                                OnnxTensor.createTensor(
                                        env, input.slice(), new long[] {n, 3, size, size});
                        OrtSession.Result result =
                                session.run(Map.of(OnnxExport.INPUT, x), outputs)) {
                    for (String tensor : tensors) {
                        Int8Quantizer.Range range =
                                new Int8Quantizer.Range(
                                        scalar(result, Int8Quantizer.minimumOf(tensor)),
                                        scalar(result, Int8Quantizer.maximumOf(tensor)));
                        ranges.merge(tensor, range, Int8Quantizer.Range::union);
                    }
                }
            }
        } catch (OrtException e) {
            throw new IOException("Int8 calibration failed on ONNX Runtime: " + e.getMessage(), e);
        }
        return ranges;
    }

    private static float scalar(OrtSession.Result result, String name)
            throws IOException, OrtException {
        Optional<ai.onnxruntime.OnnxValue> value = result.get(name);
        if (value.isEmpty() || !(value.get() instanceof OnnxTensor t)) {
            throw new IOException("Calibration graph did not return " + name);
        }
        return t.getFloatBuffer().get(0);
    }
}
