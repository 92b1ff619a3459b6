package io.inceptionpipeline.models.inference;

import io.inceptionpipeline.models.image.RgbImage;
import java.util.List;
import java.util.Objects;

/**
 * How to check (and for int8, quantize) a model served below float32: the calibration images (whole
 * images; each is center-cropped and normalized as the model's preprocessing does) whose activation
 * ranges set the scales, and the smallest top-1 agreement with float32 on them the int8 or fp16
 * model must reach at load.
 *
 * @param calibration images representative of what will be scored (a few hundred suffice)
 * @param source where they came from, for logs and errors
 * @param minAgreement share of calibration images whose top-1 class must equal float32's
 * @param method how int8 turns the activations on the images into ranges ({@link MinMaxCalibration}
 *     unless told otherwise)
 */
public record Quantization(
        List<RgbImage> calibration, String source, double minAgreement, CalibrationMethod method) {

    /** The agreement a quantized model must reach unless told otherwise. */
    public static final double DEFAULT_MIN_AGREEMENT = 0.98;

    /**
     * The agreement a float16 model must reach ({@link ScoringModel#loadFp16}): float16 rounds far
     * less than int8, so only images whose two best classes are nearly tied may change.
     */
    public static final double FP16_MIN_AGREEMENT = 0.99;

    public Quantization {
        if (calibration.isEmpty()) {
            throw new IllegalArgumentException("Int8 calibration needs at least one image");
        }
        if (!(minAgreement >= 0 && minAgreement <= 1)) {
            throw new IllegalArgumentException(
                    "The minimum agreement must lie in [0, 1], got " + minAgreement);
        }
        calibration = List.copyOf(calibration);
        Objects.requireNonNull(method, "method");
    }

    public Quantization(List<RgbImage> calibration, String source, double minAgreement) {
        this(calibration, source, minAgreement, new MinMaxCalibration());
    }

    public Quantization(List<RgbImage> calibration, String source) {
        this(calibration, source, DEFAULT_MIN_AGREEMENT);
    }

    /** The same images with another minimum agreement. */
    public Quantization withMinAgreement(double agreement) {
        return new Quantization(calibration, source, agreement, method);
    }

    /** The same images calibrated by {@code calibrationMethod}. */
    public Quantization withMethod(CalibrationMethod calibrationMethod) {
        return new Quantization(calibration, source, minAgreement, calibrationMethod);
    }

    /** The images and the agreement {@code precision} must reach with them at load. */
    public Quantization forPrecision(Precision precision) {
        return precision == Precision.FP16 ? withMinAgreement(FP16_MIN_AGREEMENT) : this;
    }
}
