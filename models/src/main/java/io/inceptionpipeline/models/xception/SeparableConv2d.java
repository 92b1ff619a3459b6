package io.inceptionpipeline.models.xception;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import io.inceptionpipeline.models.layers.Sequential;

/**
 * A depthwise separable convolution (Chollet, "Xception", 2017, section 2): a 3×3 convolution of
 * each channel alone ({@code conv1}, groups = channels), then a 1×1 convolution across channels
 * ({@code pointwise}); no bias, no non-linearity in between, as the paper found best (figure 10).
 */
final class SeparableConv2d extends Sequential {

    SeparableConv2d(int inChannels, int outChannels) {
        add(
                "conv1",
                Conv2d.builder()
                        .setFilters(inChannels)
                        .setKernelShape(new Shape(3, 3))
                        .optPadding(new Shape(1, 1))
                        .optGroups(inChannels)
                        .optBias(false)
                        .build());
        add(
                "pointwise",
                Conv2d.builder()
                        .setFilters(outChannels)
                        .setKernelShape(new Shape(1, 1))
                        .optBias(false)
                        .build());
    }
}
