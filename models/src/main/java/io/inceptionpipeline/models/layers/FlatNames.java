package io.inceptionpipeline.models.layers;

/**
 * Marks a block that groups layers for readability but has no module of its own in the reference
 * implementation: its children's state-dict names join the parent's prefix directly. For example,
 * the layers of Inception-ResNet-v2's {@code Stem} are {@code conv2d_1a}, not {@code
 * stem.conv2d_1a}, in timm.
 */
public interface FlatNames {}
