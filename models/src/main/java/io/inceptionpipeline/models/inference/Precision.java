package io.inceptionpipeline.models.inference;

import java.util.Locale;

/**
 * The arithmetic a model is served in ({@code --precision}): float32; int8 by static quantization
 * ({@link io.inceptionpipeline.models.onnx.Int8Quantizer}) or float16 ({@link
 * io.inceptionpipeline.models.onnx.Fp16Converter}) on ONNX Runtime, each checked against float32 at
 * load ({@link ScoringModel#loadInt8}, {@link ScoringModel#loadFp16}).
 */
public enum Precision {
    FP32,
    INT8,
    FP16;

    /**
     * {@code fp32}, {@code int8} or {@code fp16}, any case. {@code bf16} is refused with the
     * reason: ONNX Runtime has bfloat16 kernels for few operators, and its CPU provider falls back
     * to float32 kernels only around float16 nodes (InsertCastTransformer), so a bfloat16 graph of
     * the family has no provider here that runs it as bfloat16.
     */
    public static Precision parse(String value) {
        String id = value.trim().toLowerCase(Locale.ROOT);
        if (id.equals("bf16") || id.equals("bfloat16")) {
            throw new IllegalArgumentException(
                    "--precision bf16 is not supported: ONNX Runtime has bfloat16 kernels for few"
                            + " operators, so the family's graphs cannot run in bfloat16 on it; use"
                            + " fp16 (float16, for GPU execution providers) or int8");
        }
        try {
            return valueOf(id.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "Unknown precision '" + value + "'; known: fp32, int8, fp16");
        }
    }

    /** The option value: {@code fp32}, {@code int8}, {@code fp16}. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }
}
