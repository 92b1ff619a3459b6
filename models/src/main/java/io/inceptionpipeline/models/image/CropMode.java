package io.inceptionpipeline.models.image;

import java.util.Locale;

/** How an image becomes the model's input. */
public enum CropMode {
    /**
     * timm's eval transform: resize the shorter side to {@code floor(inputSize / cropPct)} with the
     * spec's filter, then take the center {@code inputSize × inputSize} square.
     */
    CENTER,
    /** The image is already {@code inputSize × inputSize}: only scale and normalize it. */
    NONE;

    /** Parses {@code center} or {@code none}, case-insensitively. */
    public static CropMode parse(String value) {
        try {
            return valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "Unknown crop mode '" + value + "': expected center or none");
        }
    }

    /** The name users write. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }
}
