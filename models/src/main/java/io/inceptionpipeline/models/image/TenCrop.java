package io.inceptionpipeline.models.image;

import java.util.ArrayList;
import java.util.List;

/**
 * The GoogLeNet paper's 10-crop evaluation (torchvision's {@code TenCrop}): the image resized as
 * for the center crop, then the center and the four corner {@code inputSize²} squares, each also
 * mirrored. Crop 0 is the center crop, byte for byte; crops 0..4 are center, top-left, top-right,
 * bottom-left, bottom-right and crops 5..9 their mirrors.
 *
 * <p>A model whose resize leaves no margin ({@code cropPct} 1, e.g. the 28×28 Fashion-MNIST model)
 * would get five equal crops; its frame is first zero-padded by {@link #FULL_FRAME_PADDING} pixels,
 * as the training recipe's random crops pad it, so the corners are the image shifted by ±2 pixels.
 */
public final class TenCrop {

    /** Zero padding around an image the resize leaves at the input size (train's --padding). */
    public static final int FULL_FRAME_PADDING = 2;

    private TenCrop() {}

    /** The ten windows for a {@code width × height} image. */
    public static List<CropWindow> windows(int width, int height, int inputSize, double cropPct) {
        int[] resized = Preprocessor.resizedSize(width, height, scaleSize(inputSize, cropPct));
        int padding = Math.min(resized[0], resized[1]) == inputSize ? FULL_FRAME_PADDING : 0;
        List<CropWindow> windows =
                fiveCrops(
                        resized[0],
                        resized[1],
                        padding,
                        0,
                        0,
                        resized[0] + 2 * padding,
                        resized[1] + 2 * padding,
                        inputSize);
        List<CropWindow> all = new ArrayList<>(windows);
        windows.forEach(w -> all.add(w.mirror()));
        return all;
    }

    static int scaleSize(int inputSize, double cropPct) {
        return (int) Math.floor(inputSize / cropPct);
    }

    /**
     * Center, top-left, top-right, bottom-left, bottom-right {@code size²} squares of the region
     * ({@code x}, {@code y}, {@code regionWidth × regionHeight}) of a frame; the center offset
     * rounds half to even like torchvision's {@code CenterCrop}.
     */
    static List<CropWindow> fiveCrops(
            int resizedWidth,
            int resizedHeight,
            int padding,
            int x,
            int y,
            int regionWidth,
            int regionHeight,
            int size) {
        int right = x + regionWidth - size;
        int bottom = y + regionHeight - size;
        int centerX = x + (int) Math.rint((regionWidth - size) / 2.0);
        int centerY = y + (int) Math.rint((regionHeight - size) / 2.0);
        return List.of(
                new CropWindow(resizedWidth, resizedHeight, padding, centerX, centerY, size, false),
                new CropWindow(resizedWidth, resizedHeight, padding, x, y, size, false),
                new CropWindow(resizedWidth, resizedHeight, padding, right, y, size, false),
                new CropWindow(resizedWidth, resizedHeight, padding, x, bottom, size, false),
                new CropWindow(resizedWidth, resizedHeight, padding, right, bottom, size, false));
    }
}
