package io.inceptionpipeline.models.verify;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.inceptionpipeline.models.onnx.OnnxExport;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * The convolution probe on ONNX Runtime: each probed convolution becomes a one-operator ONNX graph
 * ({@link OnnxExport#convolution3x3}) run by DJL's OnnxRuntime engine with the session settings a
 * model gets (graph optimizations on), so the probe goes through the same kernels as a model's
 * convolutions. DJL's OnnxRuntime arrays cannot run {@code Conv2d} themselves (DJL would hand it to
 * another engine, which would probe the wrong library).
 */
final class OnnxRuntimeConvolution implements ConvolutionProbe.Convolution {

    static final String ENGINE = "OnnxRuntime";

    private final Device device;

    OnnxRuntimeConvolution(Device device) {
        this.device = device;
    }

    @Override
    public float[] conv3x3(float[] x, float[] w, int batch, int ic, int oc) {
        byte[] graph = OnnxExport.convolution3x3(w, ic, oc, ConvolutionProbe.SIZE).toByteArray();
        try (Model model = Model.newInstance("convolution-probe", device, ENGINE)) {
            model.load(new ByteArrayInputStream(graph), Map.of("optLevel", "ALL_OPT"));
            try (NDManager scratch = model.getNDManager().newSubManager()) {
                int size = ConvolutionProbe.SIZE;
                NDList out =
                        model.getBlock()
                                .forward(
                                        new ParameterStore(scratch, false),
                                        new NDList(
                                                scratch.create(
                                                        x, new Shape(batch, ic, size, size))),
                                        false);
                return out.singletonOrThrow().toFloatArray();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (MalformedModelException e) {
            throw new IllegalStateException("ONNX Runtime refused the probe's graph", e);
        }
    }
}
