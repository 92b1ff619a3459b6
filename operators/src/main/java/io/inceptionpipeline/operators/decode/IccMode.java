package io.inceptionpipeline.operators.decode;

import java.util.Locale;

/**
 * What the decoder does with an ICC profile embedded in an image (JPEG APP2, PNG iCCP). Phones tag
 * most photos Display P3, so the choice changes real inputs.
 */
public enum IccMode {
    /**
     * Use the decoded samples as stored, as Pillow's {@code Image.open(f).convert("RGB")} gives
     * them (Pillow keeps the profile in {@code info["icc_profile"]} and never applies it): what
     * timm's transforms, and so the reference models' training, saw. The default.
     */
    IGNORE,
    /**
     * Convert to sRGB with the embedded profile (Java's colour management): truer colours, but
     * different pixels from the reference pipeline whenever a non-sRGB profile is embedded.
     */
    CONVERT;

    /** Parses {@code ignore} or {@code convert}, case-insensitively. */
    public static IccMode parse(String value) {
        try {
            return valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new IllegalArgumentException(
                    "Unknown ICC mode '" + value + "': expected ignore or convert");
        }
    }

    /** The name users write. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }
}
