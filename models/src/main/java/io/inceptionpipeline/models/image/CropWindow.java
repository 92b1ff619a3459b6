package io.inceptionpipeline.models.image;

/**
 * One crop of a multi-crop scheme, as geometry: resize the image to {@code resizedWidth ×
 * resizedHeight}, zero-pad it by {@code padding} pixels on every side, take the {@code side × side}
 * square at ({@code left}, {@code top}) of that frame, scale the square to the model's input when
 * {@code side} differs from it, and mirror it left to right when {@code mirrored}.
 */
public record CropWindow(
        int resizedWidth,
        int resizedHeight,
        int padding,
        int left,
        int top,
        int side,
        boolean mirrored) {

    public CropWindow {
        if (resizedWidth <= 0 || resizedHeight <= 0 || padding < 0 || side <= 0) {
            throw new IllegalArgumentException(
                    "Bad crop window "
                            + describe(resizedWidth, resizedHeight, padding, left, top, side));
        }
        if (left < 0
                || top < 0
                || left + side > resizedWidth + 2 * padding
                || top + side > resizedHeight + 2 * padding) {
            throw new IllegalArgumentException(
                    "Crop window outside its frame: "
                            + describe(resizedWidth, resizedHeight, padding, left, top, side));
        }
    }

    /** The same window, mirrored. */
    public CropWindow mirror() {
        return new CropWindow(resizedWidth, resizedHeight, padding, left, top, side, true);
    }

    private static String describe(int w, int h, int padding, int left, int top, int side) {
        return side
                + "x"
                + side
                + "+"
                + left
                + "+"
                + top
                + " of "
                + w
                + "x"
                + h
                + " padded by "
                + padding;
    }
}
