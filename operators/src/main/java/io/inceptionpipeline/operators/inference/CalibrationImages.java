package io.inceptionpipeline.operators.inference;

import io.inceptionpipeline.models.image.RgbImage;
import io.inceptionpipeline.models.inference.Precision;
import io.inceptionpipeline.models.inference.Quantization;
import io.inceptionpipeline.models.spec.ModelSpec;
import io.inceptionpipeline.models.train.FashionMnist;
import io.inceptionpipeline.operators.decode.DecodeException;
import io.inceptionpipeline.operators.decode.ImageDecoder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The calibration images of {@code --precision int8} and {@code fp16}: the first {@code count}
 * image files of a directory by name (decoded as the job decodes), or for the shipped Fashion-MNIST
 * model the first {@code count} training images of Debian's dataset.
 */
public final class CalibrationImages {

    /** The model whose training set can calibrate it without --calibration. */
    public static final String FASHION_MODEL = "inception_resnet_fmnist";

    private CalibrationImages() {}

    /**
     * The calibration set for {@code spec}: {@code directory}'s first {@code count} images, or
     * without a directory the Fashion-MNIST training images for the shipped model; any other model
     * without a directory is refused with what to give.
     */
    public static Quantization read(ModelSpec spec, Path directory, int count) throws IOException {
        return read(spec, directory, count, Precision.INT8);
    }

    /**
     * As {@link #read(ModelSpec, Path, int)}, with the agreement {@code precision} must reach on
     * the images ({@link Quantization#forPrecision}).
     */
    public static Quantization read(ModelSpec spec, Path directory, int count, Precision precision)
            throws IOException {
        return images(spec, directory, count, precision).forPrecision(precision);
    }

    private static Quantization images(
            ModelSpec spec, Path directory, int count, Precision precision) throws IOException {
        if (count < 1) {
            throw new IllegalArgumentException("--calibration-count must be positive");
        }
        if (directory != null) {
            return fromDirectory(directory, count);
        }
        if (spec.name().equals(FASHION_MODEL)) {
            FashionMnist.Split train = FashionMnist.load(FashionMnist.DEBIAN_DIR, true).head(count);
            List<RgbImage> images = new ArrayList<>(train.size());
            for (int i = 0; i < train.size(); i++) {
                images.add(train.rgb(i));
            }
            return new Quantization(
                    images, "the first " + images.size() + " Fashion-MNIST training images");
        }
        throw new IllegalArgumentException(
                "--precision "
                        + precision.id()
                        + " needs --calibration DIR: a few hundred images like those "
                        + spec.name()
                        + " will score (only "
                        + FASHION_MODEL
                        + " has a default calibration set)");
    }

    private static Quantization fromDirectory(Path directory, int count) throws IOException {
        if (!Files.isDirectory(directory)) {
            throw new IOException("--calibration " + directory + " is not a directory");
        }
        List<Path> files;
        try (Stream<Path> listing = Files.list(directory)) {
            files = listing.filter(Files::isRegularFile).sorted().toList();
        }
        ImageDecoder decoder = new ImageDecoder();
        List<RgbImage> images = new ArrayList<>();
        int unreadable = 0;
        for (Path file : files) {
            if (images.size() == count) {
                break;
            }
            try {
                images.add(decoder.decode(Files.readAllBytes(file)));
            } catch (DecodeException e) {
                unreadable++;
            }
        }
        if (images.isEmpty()) {
            throw new IOException(
                    "--calibration " + directory + " holds no image this project can decode");
        }
        return new Quantization(
                images,
                images.size()
                        + " images of "
                        + directory
                        + (unreadable > 0
                                ? " (" + unreadable + " files not images, skipped)"
                                : ""));
    }
}
