package io.inceptionpipeline.models.spec;

import io.inceptionpipeline.models.ClassifierNetwork;
import io.inceptionpipeline.models.image.Interpolation;
import io.inceptionpipeline.models.image.Preprocessor;
import java.util.function.IntFunction;

/**
 * Everything about a model that is not its architecture, like timm's {@code default_cfgs}: input
 * size and preprocessing, labels, embedding width, and where its classifier sits in the state dict.
 *
 * @param name the timm / torchvision name users type, e.g. {@code inception_resnet_v2}
 * @param title a human name with its paper
 * @param inputSize square input side in pixels
 * @param cropPct fraction of the resized image the center crop keeps (timm's {@code crop_pct})
 * @param interpolation resize filter
 * @param normalization pixel scaling, mean and std, channel order
 * @param numClasses classes of the standard head
 * @param labels class names of the standard head
 * @param embeddingSize width of the pooled features
 * @param classifierWeight state-dict name of the classifier weight, read to size the head
 * @param network builds the network for a given number of classes
 * @param bundledWeights class-path resource of trained weights shipped with the model, or null
 */
public record ModelSpec(
        String name,
        String title,
        int inputSize,
        double cropPct,
        Interpolation interpolation,
        Normalization normalization,
        int numClasses,
        Labels labels,
        int embeddingSize,
        String classifierWeight,
        IntFunction<ClassifierNetwork> network,
        String bundledWeights) {

    /** The preprocessing of this model. */
    public Preprocessor preprocessor() {
        return new Preprocessor(inputSize, cropPct, interpolation, normalization);
    }

    /** Input shape of a batch of {@code n} images, NCHW. */
    public long[] inputShape(int n) {
        return new long[] {n, 3, inputSize, inputSize};
    }
}
