package io.inceptionpipeline.models.layers;

/**
 * The feature extractor of a network, everything before global pooling, as a sequence whose
 * children sit at the top level of the reference's state dict.
 */
public final class Features extends Sequential implements FlatNames {}
