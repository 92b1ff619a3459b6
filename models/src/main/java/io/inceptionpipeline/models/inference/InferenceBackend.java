package io.inceptionpipeline.models.inference;

import ai.djl.Device;

/**
 * What runs a network's forward pass for a {@link ScoringModel}: one class per kind of runtime.
 * {@link DjlBlockBackend} runs the project's DJL blocks on a DJL engine that executes them (MXNet,
 * PyTorch); {@link OnnxRuntimeBackend} runs the ONNX graph exported from the same blocks on DJL's
 * OnnxRuntime engine. Everything else a model does (preprocessing, softmax, top-k, the known-answer
 * checks) works on the float arrays this returns, so it is the same for every kind.
 */
public sealed interface InferenceBackend extends AutoCloseable
        permits DjlBlockBackend, OnnxRuntimeBackend {

    /**
     * One forward pass's outputs, row-major.
     *
     * @param logits {@code count × numClasses} (empty for an embedding-only network)
     * @param embedding {@code count × embeddingSize}
     */
    record Batch(int count, float[] logits, float[] embedding) {}

    /**
     * Runs {@code count} images, already normalized as the spec says, NCHW, flattened in {@code
     * images}; returns the logits and the embedding of each.
     */
    Batch forward(float[] images, int count);

    /** Rows of the classifier head (0 for an embedding-only network). */
    int numClasses();

    /** Width of the embedding. */
    int embeddingSize();

    /**
     * DJL's name of the engine that computes ({@code MXNet}, {@code PyTorch}, {@code OnnxRuntime}).
     */
    String engine();

    /** The device it computes on. */
    Device device();

    /** Frees the native memory (weights, session). */
    @Override
    void close();
}
