package io.inceptionpipeline.models.inference;

/** One of the k best classes: row of the head, its label and its softmax probability. */
public record TopK(int index, String label, float score) {}
