package io.inceptionpipeline.models.image;

import java.util.Locale;

/**
 * How an image becomes the model's input: one crop, or the multi-crop evaluation of the GoogLeNet
 * paper (Szegedy et al. 2014, section 7 and Table 3), whose crops are scored and averaged.
 */
public enum CropMode {
    /**
     * timm's eval transform: resize the shorter side to {@code floor(inputSize / cropPct)} with the
     * spec's filter, then take the center {@code inputSize × inputSize} square.
     */
    CENTER(1),
    /** The image is already {@code inputSize × inputSize}: only scale and normalize it. */
    NONE(1),
    /** {@link TenCrop}: the center and four corners of the resized image, each also mirrored. */
    TEN(10),
    /**
     * {@link MultiScaleCrop}: four scales × three squares × (five crops + the whole square), each
     * also mirrored.
     */
    MULTISCALE(144);

    private final int cropCount;

    CropMode(int cropCount) {
        this.cropCount = cropCount;
    }

    /**
     * Parses {@code center}, {@code none}, {@code ten} or {@code multiscale}, case-insensitively.
     */
    public static CropMode parse(String value) {
        try {
            return valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "Unknown crop mode '" + value + "': expected center, none, ten or multiscale");
        }
    }

    /** The name users write. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Crops this mode makes of every image. */
    public int cropCount() {
        return cropCount;
    }
}
