package io.inceptionpipeline.models.weights;

import static io.inceptionpipeline.models.layers.Layers.conv;
import static io.inceptionpipeline.models.layers.Layers.seq;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import io.inceptionpipeline.models.ClassifierNetwork;
import io.inceptionpipeline.models.googlenet.GoogLeNet;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WeightImporterTest {

    @TempDir Path dir;

    private NDManager manager;
    private Block net;

    @BeforeEach
    void build() {
        manager = NDManager.newBaseManager();
        net =
                seq(
                        conv(4, 3),
                        conv(2, 1)); // 0.conv.weight [4,3,3,3], 0.bn.*, 1.conv.weight [2,4,1,1],
        // 1.bn.*
        net.initialize(manager, DataType.FLOAT32, new Shape(1, 3, 8, 8));
    }

    @AfterEach
    void close() {
        manager.close();
    }

    /** A checkpoint as PyTorch saves it, with seeded values and the num_batches_tracked buffers. */
    private SafetensorsWriter checkpoint(String prefix) {
        SafetensorsWriter writer = new SafetensorsWriter();
        for (Map.Entry<String, Parameter> e : StateDict.of(net).entrySet()) {
            long[] shape = e.getValue().getArray().getShape().getShape();
            writer.add(
                    prefix + e.getKey(),
                    shape,
                    SeededWeights.values(e.getKey(), e.getValue().getType(), shape, 1));
        }
        writer.add(prefix + "0.bn.num_batches_tracked", new long[] {}, new float[] {0});
        return writer;
    }

    @Test
    void setsEveryParameterByName() throws Exception {
        Path file = dir.resolve("ok.safetensors");
        checkpoint("").write(file);

        WeightImporter.Report report = WeightImporter.importSafetensors(net, file);

        assertThat(report.tensors()).isEqualTo(10);
        assertThat(report.ignored()).containsExactly("0.bn.num_batches_tracked");
        Parameter var = StateDict.of(net).get("1.bn.running_var");
        assertThat(var.getArray().toFloatArray())
                .containsExactly(
                        SeededWeights.values(
                                "1.bn.running_var", Parameter.Type.RUNNING_VAR, new long[] {2}, 1));
        assertThat(StateDict.of(net).get("0.conv.weight").getArray().toFloatArray())
                .containsExactly(
                        SeededWeights.values(
                                "0.conv.weight",
                                Parameter.Type.WEIGHT,
                                new long[] {4, 3, 3, 3},
                                1));
    }

    @Test
    void skipsTheAuxiliaryClassifiersOfATrainingCheckpoint() throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            ClassifierNetwork googlenet = GoogLeNet.create(10);
            googlenet.initialize(m, DataType.FLOAT32, new Shape(1, 3, 224, 224));
            SafetensorsWriter writer = new SafetensorsWriter();
            for (Map.Entry<String, Parameter> e : StateDict.of(googlenet).entrySet()) {
                long[] shape = e.getValue().getArray().getShape().getShape();
                writer.add(
                        e.getKey(),
                        shape,
                        SeededWeights.values(e.getKey(), e.getValue().getType(), shape, 3));
            }
            // torchvision's GoogLeNet checkpoint also holds its two auxiliary heads
            writer.add("aux1.conv.conv.weight", new long[] {128, 512, 1, 1}, new float[65536]);
            writer.add("aux2.fc2.bias", new long[] {1000}, new float[1000]);
            Path file = dir.resolve("googlenet.safetensors");
            writer.write(file);

            WeightImporter.Report report = WeightImporter.importSafetensors(googlenet, file);
            assertThat(report.ignored())
                    .containsExactlyInAnyOrder("aux1.conv.conv.weight", "aux2.fc2.bias");
            assertThat(report.tensors()).isEqualTo(StateDict.of(googlenet).size());

            // a tensor under any other name is still an error
            writer.add("auxx.fc.bias", new long[] {10}, new float[10]);
            writer.write(file);
            assertThatThrownBy(() -> WeightImporter.importSafetensors(googlenet, file))
                    .hasMessageContaining("1 unexpected: auxx.fc.bias");
        }
    }

    @Test
    void stripsTheDataParallelPrefix() throws Exception {
        Path file = dir.resolve("dp.safetensors");
        checkpoint("module.").write(file);
        assertThat(WeightImporter.importSafetensors(net, file).tensors()).isEqualTo(10);
    }

    @Test
    void listsEveryMissingUnexpectedAndMisshapedTensorAndImportsNothing() throws Exception {
        float[] before = StateDict.of(net).get("0.conv.weight").getArray().toFloatArray();
        SafetensorsWriter writer = new SafetensorsWriter();
        writer.add("0.conv.weight", new long[] {4, 3, 3, 3}, new float[108]);
        writer.add("0.bn.weight", new long[] {5}, new float[5]); // wrong shape
        writer.add("0.bn.bias", new long[] {4}, new float[4]);
        writer.add("head.fc.weight", new long[] {2, 2}, new float[4]); // unexpected
        Path file = dir.resolve("bad.safetensors");
        writer.write(file);

        assertThatThrownBy(() -> WeightImporter.importSafetensors(net, file))
                .isInstanceOf(WeightImportException.class)
                .hasMessageContaining("do not fit the model")
                .hasMessageContaining(
                        "7 missing: 0.bn.running_mean (4), 0.bn.running_var (4), 1.conv.weight (2, 4, 1, 1)")
                .hasMessageContaining("1 unexpected: head.fc.weight F32[2, 2]")
                .hasMessageContaining("1 mis-shaped: 0.bn.weight (file F32[5], model (4))")
                .satisfies(e -> assertThat(((WeightImportException) e).missing()).hasSize(7));
        assertThat(StateDict.of(net).get("0.conv.weight").getArray().toFloatArray())
                .containsExactly(before);
    }

    @Test
    void readsTheClassifierWidthFromTheHeaderAlone() throws Exception {
        Path file = dir.resolve("head.safetensors");
        new SafetensorsWriter()
                .add("classif.weight", new long[] {1001, 4}, new float[4004])
                .write(file);
        assertThat(WeightImporter.classifierRows(file, "classif.weight")).isEqualTo(1001);
        assertThat(WeightImporter.classifierRows(file, "fc.weight")).isEqualTo(-1);
    }
}
