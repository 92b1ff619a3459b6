package io.inceptionpipeline.operators.decode;

import java.io.Serializable;

/**
 * How fetched bytes become model input.
 *
 * @param model model name in the registry (its spec gives input size and resize)
 * @param cropMode {@code center}, {@code none}, {@code ten} or {@code multiscale}
 * @param maxPixels pixel cap checked from the image header before decoding
 * @param applyExifOrientation turn JPEGs upright by their EXIF orientation (timm does not; users'
 *     phone photos need it)
 * @param icc what to do with an embedded ICC profile ({@link IccMode#IGNORE}: as Pillow and timm)
 */
public record PrepareConfig(
        String model, String cropMode, long maxPixels, boolean applyExifOrientation, IccMode icc)
        implements Serializable {

    public PrepareConfig {
        if (maxPixels <= 0) {
            throw new IllegalArgumentException("maxPixels must be positive");
        }
        if (icc == null) {
            throw new IllegalArgumentException("icc mode must be given");
        }
    }

    /** Embedded ICC profiles ignored, as the reference pipeline (Pillow) does. */
    public PrepareConfig(
            String model, String cropMode, long maxPixels, boolean applyExifOrientation) {
        this(model, cropMode, maxPixels, applyExifOrientation, IccMode.IGNORE);
    }
}
