package io.inceptionpipeline.cli;

import io.inceptionpipeline.models.inference.CalibrationMethod;
import io.inceptionpipeline.models.inference.PercentileCalibration;
import io.inceptionpipeline.models.inference.Precision;
import io.inceptionpipeline.models.inference.Quantization;
import io.inceptionpipeline.models.spec.ModelSpec;
import io.inceptionpipeline.operators.inference.CalibrationImages;
import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/** {@code --precision} and its calibration images, shared by the commands that load models. */
final class PrecisionOption {

    @Option(
            names = "--precision",
            defaultValue = "fp32",
            description = {
                "fp32 (default), int8 or fp16, below fp32 on ONNX Runtime only (--engine onnxruntime or",
                "auto). int8: static quantization, activations calibrated on --calibration images (for",
                "inception_resnet_fmnist, without it, the first --calibration-count Fashion-MNIST training",
                "images); the load fails unless int8 agrees with fp32's top-1 on at least 98%% of them.",
                "fp16: float16 weights and compute (float32 input and outputs), for GPU execution providers",
                "(on CPU, operators without float16 kernels run between casts); the load fails unless it agrees with",
                "fp32's top-1 on at least 99%% of the calibration images and its canary outputs lie within",
                "2%% of fp32's. bf16 is refused (ONNX Runtime has few bfloat16 kernels).",
                "Default: ${DEFAULT-VALUE}."
            })
    String precision;

    @Option(
            names = "--calibration",
            paramLabel = "DIR",
            description =
                    "Images (PNG, JPEG, ...) like those to be scored, for --precision int8 and fp16: the first"
                            + " --calibration-count files by name.")
    Path calibration;

    @Option(
            names = "--calibration-count",
            paramLabel = "N",
            defaultValue = "512",
            description =
                    "How many calibration images --precision int8 and fp16 read. Default: ${DEFAULT-VALUE}.")
    int calibrationCount;

    @Option(
            names = "--calibration-method",
            paramLabel = "METHOD",
            defaultValue = CalibrationMethod.DEFAULT_ID,
            converter = MethodConverter.class,
            description = {
                "How --precision int8 sets each activation's range from the calibration images: minmax",
                "(default; smallest to largest value seen) or percentile (from the (100-P)th to the Pth",
                "percentile of its values, P = --calibration-percentile: rare outliers are clipped instead",
                "of coarsening every other value). Default: ${DEFAULT-VALUE}."
            })
    String calibrationMethod;

    @Option(
            names = "--calibration-percentile",
            paramLabel = "P",
            defaultValue = CalibrationMethod.DEFAULT_PERCENTILE_TEXT,
            converter = PercentileConverter.class,
            description =
                    "P of --calibration-method percentile, above 90 and at most 100 (100: min/max)."
                            + " Default: ${DEFAULT-VALUE}.")
    double calibrationPercentile;

    Precision precision() {
        return Precision.parse(precision);
    }

    CalibrationMethod calibrationMethod() {
        return CalibrationMethod.of(calibrationMethod, calibrationPercentile);
    }

    Quantization quantization(ModelSpec spec) throws IOException {
        return CalibrationImages.read(spec, calibration, calibrationCount, precision())
                .withMethod(calibrationMethod());
    }

    /** Accepts a method of {@link CalibrationMethod#IDS}. */
    static final class MethodConverter implements CommandLine.ITypeConverter<String> {
        @Override
        public String convert(String value) {
            if (!CalibrationMethod.IDS.contains(value)) {
                throw new CommandLine.TypeConversionException(
                        "'"
                                + value
                                + "' is not a calibration method: expected one of "
                                + CalibrationMethod.IDS);
            }
            return value;
        }
    }

    /** Accepts a percentile {@link PercentileCalibration} takes. */
    static final class PercentileConverter implements CommandLine.ITypeConverter<Double> {
        @Override
        public Double convert(String value) {
            double percentile;
            try {
                percentile = Double.parseDouble(value);
            } catch (NumberFormatException e) {
                throw new CommandLine.TypeConversionException("'" + value + "' is not a number");
            }
            try {
                return new PercentileCalibration(percentile).percentile();
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }
}
