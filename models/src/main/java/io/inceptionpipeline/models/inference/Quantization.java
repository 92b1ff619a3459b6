package io.inceptionpipeline.models.inference;

import io.inceptionpipeline.models.image.RgbImage;
import java.util.List;

/**
 * How to quantize a model to int8: the calibration images (whole images; each is center-cropped and
 * normalized as the model's preprocessing does) whose activation ranges set the scales, and the
 * smallest top-1 agreement with float32 on them the quantized model must reach at load.
 *
 * @param calibration images representative of what will be scored (a few hundred suffice)
 * @param source where they came from, for logs and errors
 * @param minAgreement share of calibration images whose top-1 class must equal float32's
 */
public record Quantization(List<RgbImage> calibration, String source, double minAgreement) {

    /** The agreement a quantized model must reach unless told otherwise. */
    public static final double DEFAULT_MIN_AGREEMENT = 0.98;

    public Quantization {
        if (calibration.isEmpty()) {
            throw new IllegalArgumentException("Int8 calibration needs at least one image");
        }
        if (!(minAgreement >= 0 && minAgreement <= 1)) {
            throw new IllegalArgumentException(
                    "The minimum agreement must lie in [0, 1], got " + minAgreement);
        }
        calibration = List.copyOf(calibration);
    }

    public Quantization(List<RgbImage> calibration, String source) {
        this(calibration, source, DEFAULT_MIN_AGREEMENT);
    }
}
