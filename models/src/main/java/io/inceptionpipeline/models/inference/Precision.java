package io.inceptionpipeline.models.inference;

import java.util.Locale;

/**
 * The arithmetic a model is served in ({@code --precision}): float32, or int8 by static
 * quantization ({@link io.inceptionpipeline.models.onnx.Int8Quantizer}) on ONNX Runtime, checked
 * against float32 at load ({@link ScoringModel#loadInt8}).
 */
public enum Precision {
    FP32,
    INT8;

    /** {@code fp32} or {@code int8}, any case. */
    public static Precision parse(String value) {
        try {
            return valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "Unknown precision '" + value + "'; known: fp32, int8");
        }
    }

    /** The option value: {@code fp32}, {@code int8}. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }
}
