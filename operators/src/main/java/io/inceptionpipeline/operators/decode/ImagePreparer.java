package io.inceptionpipeline.operators.decode;

import io.inceptionpipeline.models.image.CropMode;
import io.inceptionpipeline.models.image.Preprocessor;
import io.inceptionpipeline.models.image.RgbImage;
import io.inceptionpipeline.models.spec.ModelRegistry;
import java.util.List;

/**
 * Encoded bytes → the model's 8-bit crops: decode (pixel cap first, ICC profile per {@link
 * IccMode}), turn upright by EXIF, crop. Returns a list so that multi-crop modes can emit several
 * crops per image.
 */
public final class ImagePreparer {

    /** The crop step failed on a decoded image (e.g. wrong size for crop mode none). */
    public static final class PreprocessException extends Exception {
        PreprocessException(String message) {
            super(message);
        }
    }

    private final ImageDecoder decoder;
    private final Preprocessor preprocessor;
    private final CropMode cropMode;
    private final boolean applyExif;

    public ImagePreparer(PrepareConfig config) {
        this.decoder = new ImageDecoder(config.maxPixels(), config.icc());
        this.preprocessor = ModelRegistry.get(config.model()).preprocessor();
        this.cropMode = CropMode.parse(config.cropMode());
        this.applyExif = config.applyExifOrientation();
    }

    public CropMode cropMode() {
        return cropMode;
    }

    public List<RgbImage> prepare(byte[] encoded) throws DecodeException, PreprocessException {
        RgbImage image = decoder.decode(encoded);
        if (applyExif) {
            image = ExifOrientation.apply(image, ExifOrientation.read(encoded));
        }
        try {
            return preprocessor.crops(image, cropMode);
        } catch (IllegalArgumentException e) {
            throw new PreprocessException(e.getMessage());
        }
    }
}
