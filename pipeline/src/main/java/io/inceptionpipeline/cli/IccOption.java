package io.inceptionpipeline.cli;

import picocli.CommandLine.Option;

/** {@code --icc ignore|convert}, shared by every command that decodes images. */
final class IccOption {

    @Option(
            names = "--icc",
            paramLabel = "ignore|convert",
            defaultValue = "ignore",
            description = {
                "An image's embedded ICC profile (phones write Display P3): ignore uses the samples as stored,",
                "as Pillow's convert(\"RGB\") and so timm and the reference models see them; convert turns them",
                "into sRGB (truer colours, other pixels than the reference). Default: ${DEFAULT-VALUE}."
            })
    String icc;
}
