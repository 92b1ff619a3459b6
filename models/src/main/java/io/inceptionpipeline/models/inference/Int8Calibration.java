package io.inceptionpipeline.models.inference;

import ai.onnx.proto.OnnxMl;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.inceptionpipeline.models.onnx.Int8Quantizer;
import io.inceptionpipeline.models.onnx.OnnxExport;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Runs a calibration graph (the float graph with what a {@link CalibrationMethod} reads from each
 * quantized tensor as extra outputs) on ONNX Runtime over the calibration images, a batch at a
 * time, for the method to reduce the outputs to ranges. Uses ONNX Runtime's own Java API: DJL's
 * wrapper returns only the outputs a model declares at load and cannot load a graph held in memory.
 *
 * <pre>{@code
 * Map<String, Int8Quantizer.Range> ranges =
 *         Int8Calibration.ranges(prepared, tensors, images, count, 299, 8, 2, device, method);
 * }</pre>
 */
public final class Int8Calibration implements AutoCloseable {

    private final OrtEnvironment env;
    private final OrtSession session;
    private final List<String> tensors;
    private final float[] images;
    private final int count;
    private final int size;
    private final int batch;

    private Int8Calibration(
            OrtEnvironment env,
            OrtSession session,
            List<String> tensors,
            float[] images,
            int count,
            int size,
            int batch) {
        this.env = env;
        this.session = session;
        this.tensors = List.copyOf(tensors);
        this.images = images;
        this.count = count;
        this.size = size;
        this.batch = batch;
    }

    /**
     * The range {@code method} estimates for each of {@code tensors} over {@code count} normalized
     * images ({@code 3 × size × size} floats each, back to back in {@code images}), run {@code
     * batch} at a time on {@code device} with {@code threads} intra-op threads.
     */
    static Map<String, Int8Quantizer.Range> ranges(
            OnnxMl.ModelProto prepared,
            List<String> tensors,
            float[] images,
            int count,
            int size,
            int batch,
            int threads,
            ai.djl.Device device,
            CalibrationMethod method)
            throws IOException {
        OnnxMl.ModelProto graph = method.calibrationGraph(prepared, tensors);
        // DJL's engine creates the process's one environment with its thread settings; a plain
        // getEnvironment() first would make DJL's creation fail.
        ai.djl.engine.Engine.getEngine(OnnxRuntimeBackend.ENGINE);
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options =
                        OnnxRuntimeBackend.sessionOptions(threads, device);
                Int8Calibration run =
                        new Int8Calibration(
                                env,
                                env.createSession(graph.toByteArray(), options),
                                tensors,
                                images,
                                count,
                                size,
                                batch)) {
            return method.ranges(run);
        } catch (OrtException e) {
            throw new IOException("Int8 calibration failed on ONNX Runtime: " + e.getMessage(), e);
        }
    }

    /** The tensors to calibrate, in graph order. */
    public List<String> tensors() {
        return tensors;
    }

    /** How many calibration images there are. */
    public int count() {
        return count;
    }

    /** How many images one {@link #run} should take at most. */
    public int batch() {
        return batch;
    }

    /**
     * Runs images {@code [start, start + n)} with the image input plus {@code inputs} (one int64
     * value of shape [1] each) and returns {@code outputs}; the caller closes the result.
     */
    public OrtSession.Result run(int start, int n, Map<String, Long> inputs, Set<String> outputs)
            throws OrtException {
        int perImage = 3 * size * size;
        FloatBuffer input = FloatBuffer.wrap(images, start * perImage, n * perImage);
        Map<String, OnnxTensor> feed = new HashMap<>();
        try {
            feed.put(
                    OnnxExport.INPUT,
                    OnnxTensor.createTensor(env, input.slice(), new long[] {n, 3, size, size}));
            for (Map.Entry<String, Long> value : inputs.entrySet()) {
                feed.put(
                        value.getKey(),
                        OnnxTensor.createTensor(env, new long[] {value.getValue()}));
            }
            return session.run(feed, outputs);
        } finally {
            feed.values().forEach(OnnxTensor::close);
        }
    }

    /** The float values of output {@code name} of {@code result}. */
    public static float[] floats(OrtSession.Result result, String name) throws IOException {
        FloatBuffer buffer = tensor(result, name).getFloatBuffer();
        float[] values = new float[buffer.remaining()];
        buffer.get(values);
        return values;
    }

    /** The int64 scalar output {@code name} of {@code result}. */
    public static long scalarLong(OrtSession.Result result, String name) throws IOException {
        return tensor(result, name).getLongBuffer().get(0);
    }

    private static OnnxTensor tensor(OrtSession.Result result, String name) throws IOException {
        Optional<OnnxValue> value = result.get(name);
        if (value.isEmpty() || !(value.get() instanceof OnnxTensor t)) {
            throw new IOException("Calibration graph did not return " + name);
        }
        return t;
    }

    @Override
    public void close() throws OrtException {
        session.close();
    }
}
