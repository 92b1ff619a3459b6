package io.inceptionpipeline.models.onnx;

/**
 * A block that can write itself into an ONNX graph: the operators that compute, on the tensor named
 * {@code input}, exactly what its forward pass computes at inference. Composite blocks hand their
 * children to {@link OnnxGraph#apply}, so a network is exported by one walk from its root.
 */
public interface OnnxExportable {

    /** Adds this block's operators to {@code graph}; returns the name of the output tensor. */
    String exportOnnx(OnnxGraph graph, String input);
}
