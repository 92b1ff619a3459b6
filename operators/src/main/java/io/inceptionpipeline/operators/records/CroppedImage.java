package io.inceptionpipeline.operators.records;

import io.inceptionpipeline.models.image.RgbImage;

/**
 * One model-sized 8-bit crop of a request's image, ready for a batch: 3 bytes a pixel (268 KB at
 * 299²), not 12 as floats. Several crops of one image carry the same request and their index.
 */
public class CroppedImage {
    public ImageRequest request;
    public int width;
    public int height;
    public byte[] pixels;
    public String cropMode;
    public int cropIndex;
    public int cropCount = 1;
    public float fetchMs;
    public float decodeMs;

    /** Processing time when the crop was ready, epoch ms: the start of its queue time. */
    public long readyAtMs;

    public CroppedImage() {}

    public RgbImage image() {
        return new RgbImage(width, height, pixels);
    }
}
