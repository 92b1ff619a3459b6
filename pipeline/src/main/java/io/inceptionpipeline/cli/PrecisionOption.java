package io.inceptionpipeline.cli;

import io.inceptionpipeline.models.inference.Precision;
import io.inceptionpipeline.models.inference.Quantization;
import io.inceptionpipeline.models.spec.ModelSpec;
import io.inceptionpipeline.operators.inference.CalibrationImages;
import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --precision} and its calibration images, shared by the commands that load models. */
final class PrecisionOption {

    @Option(
            names = "--precision",
            defaultValue = "fp32",
            description = {
                "fp32 (default) or int8: static int8 quantization on ONNX Runtime (--engine onnxruntime or",
                "auto). Activations are calibrated on --calibration images (for inception_resnet_fmnist,",
                "without it, the first --calibration-count Fashion-MNIST training images); the load fails",
                "unless int8 agrees with fp32's top-1 on at least 98% of them. Default: ${DEFAULT-VALUE}."
            })
    String precision;

    @Option(
            names = "--calibration",
            paramLabel = "DIR",
            description =
                    "Images (PNG, JPEG, ...) like those to be scored, for --precision int8: the first"
                            + " --calibration-count files by name.")
    Path calibration;

    @Option(
            names = "--calibration-count",
            paramLabel = "N",
            defaultValue = "512",
            description =
                    "How many calibration images --precision int8 reads. Default: ${DEFAULT-VALUE}.")
    int calibrationCount;

    Precision precision() {
        return Precision.parse(precision);
    }

    Quantization quantization(ModelSpec spec) throws IOException {
        return CalibrationImages.read(spec, calibration, calibrationCount);
    }
}
