package io.inceptionpipeline.models.spec;

import io.inceptionpipeline.models.bninception.BNInception;
import io.inceptionpipeline.models.compact.CompactInceptionResNet;
import io.inceptionpipeline.models.googlenet.GoogLeNet;
import io.inceptionpipeline.models.image.Interpolation;
import io.inceptionpipeline.models.irv1.InceptionResNetV1;
import io.inceptionpipeline.models.irv2.InceptionResNetV2;
import io.inceptionpipeline.models.v3.InceptionV3;
import io.inceptionpipeline.models.v4.InceptionV4;
import io.inceptionpipeline.models.xception.Xception;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The models this project scores with, by the names users type. */
public final class ModelRegistry {

    private static final Map<String, ModelSpec> SPECS = new LinkedHashMap<>();

    static {
        register(
                new ModelSpec(
                        "inception_resnet_v2",
                        "Inception-ResNet-v2 (Szegedy et al. 2016), TF-slim release as ported by timm",
                        299,
                        0.8975,
                        Interpolation.BICUBIC,
                        Normalization.INCEPTION,
                        1000,
                        Labels.imagenet1k(),
                        InceptionResNetV2.NUM_FEATURES,
                        "classif.weight",
                        classes -> InceptionResNetV2.builder().optNumClasses(classes).build(),
                        null));
    }

    static {
        register(
                new ModelSpec(
                        "inception_resnet_fmnist",
                        "Compact Inception-ResNet trained on Fashion-MNIST (28×28 grey, 10 classes)",
                        28,
                        1.0,
                        Interpolation.BILINEAR,
                        Normalization.FASHION_MNIST,
                        10,
                        Labels.fromResource("fashion-mnist.txt"),
                        CompactInceptionResNet.NUM_FEATURES,
                        "classif.weight",
                        CompactInceptionResNet::create,
                        "/io/inceptionpipeline/models/fashion-mnist/inception_resnet_fmnist.safetensors"));
    }

    static {
        register(
                new ModelSpec(
                        "inception_v3",
                        "Inception-v3 (Szegedy et al. 2015) as in torchvision and timm",
                        299,
                        0.875,
                        Interpolation.BICUBIC,
                        Normalization.INCEPTION,
                        1000,
                        Labels.imagenet1k(),
                        InceptionV3.NUM_FEATURES,
                        "fc.weight",
                        InceptionV3::create,
                        null));
        register(
                new ModelSpec(
                        "inception_v4",
                        "Inception-v4 (Szegedy et al. 2016), TF-slim release as ported by timm",
                        299,
                        0.875,
                        Interpolation.BICUBIC,
                        Normalization.INCEPTION,
                        1000,
                        Labels.imagenet1k(),
                        InceptionV4.NUM_FEATURES,
                        "last_linear.weight",
                        InceptionV4::create,
                        null));
    }

    static {
        register(
                new ModelSpec(
                        "googlenet",
                        "GoogLeNet / Inception-v1 (Szegedy et al. 2014) as in torchvision, with"
                                + " BatchNorm, without the auxiliary heads",
                        224,
                        0.875,
                        Interpolation.BILINEAR,
                        // torchvision's weights were trained on [-1, 1] input: its transform_input
                        // maps ImageNet-normalized input back to that, so [-1, 1] is fed directly.
                        Normalization.INCEPTION,
                        1000,
                        Labels.imagenet1k(),
                        GoogLeNet.NUM_FEATURES,
                        "fc.weight",
                        GoogLeNet::create,
                        null));
        register(
                new ModelSpec(
                        "bninception",
                        "BN-Inception / Inception-v2 (Ioffe and Szegedy 2015), Caffe release as"
                                + " ported by Cadene's pretrainedmodels",
                        224,
                        0.875,
                        Interpolation.BILINEAR,
                        Normalization.CAFFE_BGR,
                        1000,
                        Labels.imagenet1k(),
                        BNInception.NUM_FEATURES,
                        "last_linear.weight",
                        BNInception::create,
                        null));
        register(
                new ModelSpec(
                        "inception_resnet_v1",
                        "Inception-ResNet-v1 (Szegedy et al. 2016) as facenet-pytorch defines it:"
                                + " 512-d L2-normalized face embeddings of 160x160 aligned faces",
                        160,
                        1.0,
                        Interpolation.BILINEAR,
                        Normalization.FACENET,
                        0,
                        Labels.none(),
                        InceptionResNetV1.FACE_EMBEDDING,
                        "logits.weight",
                        InceptionResNetV1::face,
                        null));
        register(
                new ModelSpec(
                        "inception_resnet_v1_imagenet",
                        "Inception-ResNet-v1 (Szegedy et al. 2016) with the paper's head: 1792-d"
                                + " pooled features, linear classifier",
                        299,
                        0.875,
                        Interpolation.BICUBIC,
                        Normalization.INCEPTION,
                        1000,
                        Labels.imagenet1k(),
                        InceptionResNetV1.NUM_FEATURES,
                        "logits.weight",
                        InceptionResNetV1::paper,
                        null));
        register(
                new ModelSpec(
                        "legacy_xception",
                        "Xception (Chollet 2017), Keras release as ported by timm"
                                + " (legacy_xception)",
                        299,
                        0.8975,
                        Interpolation.BICUBIC,
                        Normalization.INCEPTION,
                        1000,
                        Labels.imagenet1k(),
                        Xception.NUM_FEATURES,
                        "fc.weight",
                        Xception::create,
                        null));
    }

    /** Other names users type for a model: timm's deprecated alias. */
    private static final Map<String, String> ALIASES = Map.of("xception", "legacy_xception");

    private ModelRegistry() {}

    private static void register(ModelSpec spec) {
        SPECS.put(spec.name(), spec);
    }

    /** The spec of {@code name}, or an error naming the known models. */
    public static ModelSpec get(String name) {
        ModelSpec spec = SPECS.get(ALIASES.getOrDefault(name, name));
        if (spec == null) {
            throw new IllegalArgumentException(
                    "Unknown model '" + name + "'; known models: " + String.join(", ", names()));
        }
        return spec;
    }

    /** Known model names. */
    public static List<String> names() {
        return List.copyOf(SPECS.keySet());
    }
}
