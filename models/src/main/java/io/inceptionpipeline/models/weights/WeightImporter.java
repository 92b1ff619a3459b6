package io.inceptionpipeline.models.weights;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import io.inceptionpipeline.models.ClassifierNetwork;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Imports a reference state dict ({@code .safetensors}, names as in timm / torchvision) into an
 * initialized block. Every parameter of the block must be in the file with the same shape, and
 * every tensor of the file must have a place in the block, or nothing is imported and a {@link
 * WeightImportException} lists all differences. No parameter is ever left at its initial value.
 *
 * <p>Three conventions of PyTorch checkpoints are understood: BatchNorm's {@code
 * num_batches_tracked} counters are ignored (they only matter for training with momentum=None), so
 * are the training-only layers a {@link ClassifierNetwork} names (auxiliary classifiers), and a
 * {@code module.} prefix (from {@code nn.DataParallel}) is stripped.
 */
public final class WeightImporter {

    private WeightImporter() {}

    /** What an import did. */
    public record Report(int tensors, long values, List<String> ignored) {}

    /** Imports {@code file} into {@code block}, which must be initialized. */
    public static Report importSafetensors(Block block, Path file) throws IOException {
        Map<String, Parameter> targets = StateDict.of(block);
        List<String> trainingOnly =
                block instanceof ClassifierNetwork network
                        ? network.trainingOnlyPrefixes()
                        : List.of();
        try (SafetensorsFile weights = SafetensorsFile.open(file)) {
            Map<String, SafetensorsFile.Tensor> sources = new LinkedHashMap<>();
            List<String> ignored = new ArrayList<>();
            for (SafetensorsFile.Tensor tensor : weights.tensors().values()) {
                String name = referenceName(tensor);
                if (name.endsWith(".num_batches_tracked")
                        || trainingOnly.stream().anyMatch(name::startsWith)) {
                    ignored.add(tensor.name());
                } else {
                    sources.put(name, tensor);
                }
            }

            List<String> missing = new ArrayList<>();
            List<String> misshaped = new ArrayList<>();
            for (Map.Entry<String, Parameter> target : targets.entrySet()) {
                SafetensorsFile.Tensor source = sources.get(target.getKey());
                Shape expected = target.getValue().getArray().getShape();
                if (source == null) {
                    missing.add(target.getKey() + " " + expected);
                } else if (!source.isFloat()
                        || !Arrays.equals(source.shape(), expected.getShape())) {
                    misshaped.add(
                            target.getKey()
                                    + " (file "
                                    + source.dtype()
                                    + Arrays.toString(source.shape())
                                    + ", model "
                                    + expected
                                    + ")");
                }
            }
            List<String> unexpected = new ArrayList<>();
            for (SafetensorsFile.Tensor source : sources.values()) {
                if (!targets.containsKey(referenceName(source))) {
                    unexpected.add(source.toString());
                }
            }
            if (!missing.isEmpty() || !unexpected.isEmpty() || !misshaped.isEmpty()) {
                throw new WeightImportException(file.toString(), missing, unexpected, misshaped);
            }

            long values = 0;
            for (Map.Entry<String, Parameter> target : targets.entrySet()) {
                SafetensorsFile.Tensor source = sources.get(target.getKey());
                target.getValue().getArray().set(weights.readFloats(source.name()));
                values += source.size();
            }
            return new Report(targets.size(), values, ignored);
        }
    }

    /**
     * The number of classes of the classifier tensor {@code classifierWeight} (e.g. {@code
     * classif.weight}) in a weights file, read from its header alone, or -1 if it has none. Lets a
     * loader build a 1001-class TF-slim head before importing.
     */
    public static int classifierRows(Path file, String classifierWeight) throws IOException {
        try (SafetensorsFile weights = SafetensorsFile.open(file)) {
            for (SafetensorsFile.Tensor tensor : weights.tensors().values()) {
                String name = referenceName(tensor);
                if (name.equals(classifierWeight) && tensor.shape().length == 2) {
                    return Math.toIntExact(tensor.shape()[0]);
                }
            }
            return -1;
        }
    }

    private static String referenceName(SafetensorsFile.Tensor tensor) {
        String prefix = "module.";
        return tensor.name().startsWith(prefix)
                ? tensor.name().substring(prefix.length())
                : tensor.name();
    }
}
