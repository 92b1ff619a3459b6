package io.inceptionpipeline.models.image;

/** Resampling filters, with Pillow's kernels and supports. */
public enum Interpolation {
    /** Triangle filter, support 1. */
    BILINEAR(1.0) {
        @Override
        double filter(double x) {
            x = Math.abs(x);
            return x < 1.0 ? 1.0 - x : 0.0;
        }
    },
    /** Keys cubic convolution with a = -0.5, support 2. */
    BICUBIC(2.0) {
        @Override
        double filter(double x) {
            final double a = -0.5;
            x = Math.abs(x);
            if (x < 1.0) {
                return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
            }
            if (x < 2.0) {
                return (((x - 5) * x + 8) * x - 4) * a;
            }
            return 0.0;
        }
    };

    final double support;

    Interpolation(double support) {
        this.support = support;
    }

    abstract double filter(double x);
}
