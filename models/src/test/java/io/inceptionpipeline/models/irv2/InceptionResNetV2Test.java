package io.inceptionpipeline.models.irv2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.initializer.Initializer;
import io.inceptionpipeline.models.layers.ResidualCell;
import io.inceptionpipeline.models.testing.Reference;
import io.inceptionpipeline.models.weights.StateDict;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The architecture of the released Inception-ResNet-v2, checked piece by piece. */
class InceptionResNetV2Test {

    private static NDManager manager;
    private static InceptionResNetV2 net;

    @BeforeAll
    static void build() {
        manager = NDManager.newBaseManager();
        net = InceptionResNetV2.builder().build();
        net.setInitializer(Initializer.ZEROS, p -> true);
        net.initialize(manager, DataType.FLOAT32, new Shape(1, 3, 299, 299));
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    @Test
    void hasExactlyTheParameterCountOfTimm() {
        assertThat(StateDict.countParameters(net)).isEqualTo(55_843_464L);
        assertThat(StateDict.countParameters(net))
                .isEqualTo(Reference.load("inception_resnet_v2").parameters());
    }

    @Test
    void countsTheMultiplyAccumulatesTimmsModelPerforms() {
        long macs = net.macs(new Shape(1, 3, 299, 299));
        assertThat(macs).isEqualTo(Reference.load("inception_resnet_v2").macsPerImage());
        assertThat(macs / 1e9).isBetween(13.15, 13.16);
    }

    @Test
    void stagesHaveThePapersShapes() {
        Block features = net.getChildren().get(0).getValue();
        List<String> stages = new ArrayList<>();
        Shape shape = new Shape(2, 3, 299, 299);
        for (var stage : features.getChildren()) {
            shape = stage.getValue().getOutputShapes(new Shape[] {shape})[0];
            stages.add(stage.getKey().substring(2) + " " + shape);
        }
        assertThat(stages)
                .containsExactly(
                        "stem (2, 192, 35, 35)",
                        "mixed_5b (2, 320, 35, 35)",
                        "repeat (2, 320, 35, 35)",
                        "mixed_6a (2, 1088, 17, 17)",
                        "repeat_1 (2, 1088, 17, 17)",
                        "mixed_7a (2, 2080, 8, 8)",
                        "repeat_2 (2, 2080, 8, 8)",
                        "block8 (2, 2080, 8, 8)",
                        "conv2d_7b (2, 1536, 8, 8)");
        assertThat(net.getOutputShapes(new Shape[] {new Shape(2, 3, 299, 299)}))
                .containsExactly(new Shape(2, 1000), new Shape(2, 1536));
    }

    @Test
    void followsTheReleaseNotThePaperFigure() {
        Block features = net.getChildren().get(0).getValue();
        assertThat(scales(features, "repeat")).hasSize(10).containsOnly(0.17f);
        assertThat(scales(features, "repeat_1")).hasSize(20).containsOnly(0.10f);
        assertThat(scales(features, "repeat_2")).hasSize(9).containsOnly(0.20f);
        ResidualCell last = (ResidualCell) child(features, "block8");
        assertThat(last.scale()).isEqualTo(1.0f);
        assertThat(last.hasRelu()).isFalse();

        Map<String, Parameter> names = StateDict.of(net);
        // Residual up-projections have a bias and no BatchNorm.
        assertThat(names)
                .containsKeys(
                        "repeat.0.conv2d.bias", "repeat_1.19.conv2d.bias", "block8.conv2d.bias");
        assertThat(names.keySet()).noneMatch(n -> n.matches(".*\\.conv2d\\.(bn|conv)\\..*"));
        // Every other convolution is conv (no bias) + BatchNorm.
        assertThat(names)
                .containsKeys(
                        "conv2d_1a.conv.weight",
                        "conv2d_1a.bn.running_var",
                        "mixed_5b.branch3.1.conv.weight",
                        "repeat_1.7.branch1.2.conv.weight",
                        "mixed_7a.branch2.2.bn.weight",
                        "conv2d_7b.bn.running_mean",
                        "classif.weight");
        assertThat(names.keySet()).noneMatch(n -> n.endsWith(".conv.bias"));
    }

    @Test
    void theTfSlimHeadHasOneMoreClass() {
        InceptionResNetV2 tf = InceptionResNetV2.builder().optNumClasses(1001).build();
        tf.setInitializer(Initializer.ZEROS, p -> true);
        try (NDManager m = NDManager.newBaseManager()) {
            tf.initialize(m, DataType.FLOAT32, new Shape(1, 3, 299, 299));
            assertThat(StateDict.countParameters(tf)).isEqualTo(55_843_464L + 1536 + 1);
        }
    }

    @Test
    void builderRejectsAnEmptyHead() {
        assertThatThrownBy(() -> InceptionResNetV2.builder().optNumClasses(0).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("numClasses must be >= 1");
    }

    private static List<Float> scales(Block features, String name) {
        List<Float> scales = new ArrayList<>();
        for (Block cell : child(features, name).getChildren().values()) {
            scales.add(((ResidualCell) cell).scale());
            assertThat(((ResidualCell) cell).hasRelu()).isTrue();
        }
        return scales;
    }

    private static Block child(Block parent, String name) {
        return parent.getChildren().stream()
                .filter(p -> p.getKey().substring(2).equals(name))
                .findFirst()
                .orElseThrow()
                .getValue();
    }
}
