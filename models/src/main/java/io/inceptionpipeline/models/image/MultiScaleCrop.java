package io.inceptionpipeline.models.image;

import java.util.ArrayList;
import java.util.List;

/**
 * The GoogLeNet paper's 144-crop evaluation (section 7): the shorter side resized to 256, 288, 320
 * and 352 (for a 224 input; other inputs scale these by {@code inputSize / 224}, e.g. 32, 36, 40,
 * 44 for 28), three squares of that side (left, center, right of a landscape image; top, middle,
 * bottom of a portrait one), from each square its four corner and center {@code inputSize²} crops
 * and the square itself scaled to the input, and all of these mirrored: 4 × 3 × 6 × 2 = 144.
 *
 * <p>Order: scale, square, then center, top-left, top-right, bottom-left, bottom-right, whole
 * square, then the same six mirrored.
 */
public final class MultiScaleCrop {

    /** The paper's shorter sides for a 224×224 input. */
    public static final int[] PAPER_SCALES = {256, 288, 320, 352};

    private MultiScaleCrop() {}

    /** The shorter sides for an {@code inputSize} model. */
    public static int[] scales(int inputSize) {
        int[] scales = new int[PAPER_SCALES.length];
        for (int i = 0; i < scales.length; i++) {
            scales[i] = (int) Math.round(PAPER_SCALES[i] * inputSize / 224.0);
        }
        return scales;
    }

    /** The 144 windows for a {@code width × height} image. */
    public static List<CropWindow> windows(int width, int height, int inputSize) {
        List<CropWindow> all = new ArrayList<>(144);
        for (int scale : scales(inputSize)) {
            int[] resized = Preprocessor.resizedSize(width, height, scale);
            int w = resized[0];
            int h = resized[1];
            boolean landscape = w >= h;
            int slack = landscape ? w - scale : h - scale;
            int[] offsets = {0, (int) Math.rint(slack / 2.0), slack};
            for (int offset : offsets) {
                int x = landscape ? offset : 0;
                int y = landscape ? 0 : offset;
                List<CropWindow> six =
                        new ArrayList<>(TenCrop.fiveCrops(w, h, 0, x, y, scale, scale, inputSize));
                six.add(new CropWindow(w, h, 0, x, y, scale, false));
                all.addAll(six);
                six.forEach(c -> all.add(c.mirror()));
            }
        }
        return all;
    }
}
