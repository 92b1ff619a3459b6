package io.inceptionpipeline.models.spec;

import io.inceptionpipeline.models.image.Interpolation;
import io.inceptionpipeline.models.irv2.InceptionResNetV2;
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
                        classes -> InceptionResNetV2.builder().optNumClasses(classes).build()));
    }

    private ModelRegistry() {}

    private static void register(ModelSpec spec) {
        SPECS.put(spec.name(), spec);
    }

    /** The spec of {@code name}, or an error naming the known models. */
    public static ModelSpec get(String name) {
        ModelSpec spec = SPECS.get(name);
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
