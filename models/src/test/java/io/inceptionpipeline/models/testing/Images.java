package io.inceptionpipeline.models.testing;

import io.inceptionpipeline.models.image.RgbImage;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import javax.imageio.ImageIO;

/** Test images. */
public final class Images {

    private Images() {}

    /** Reads an 8-bit RGB PNG exactly (no colour management applies to plain RGB). */
    public static RgbImage read(InputStream in) throws IOException {
        BufferedImage image = ImageIO.read(in);
        int w = image.getWidth();
        int h = image.getHeight();
        byte[] px = new byte[3 * w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int rgb = image.getRGB(x, y);
                int at = 3 * (y * w + x);
                px[at] = (byte) (rgb >> 16);
                px[at + 1] = (byte) (rgb >> 8);
                px[at + 2] = (byte) rgb;
            }
        }
        return new RgbImage(w, h, px);
    }
}
