package io.inceptionpipeline.models.onnx;

/**
 * A network holds a block the exporter does not know: no graph is written rather than a wrong one.
 */
public final class OnnxExportException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public OnnxExportException(String message) {
        super(message);
    }
}
