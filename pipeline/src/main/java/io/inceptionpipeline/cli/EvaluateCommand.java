package io.inceptionpipeline.cli;

import io.inceptionpipeline.models.image.CropMode;
import io.inceptionpipeline.models.image.RgbImage;
import io.inceptionpipeline.models.inference.EnsembleSpec;
import io.inceptionpipeline.models.inference.ScoringModel;
import io.inceptionpipeline.models.spec.Labels;
import io.inceptionpipeline.models.train.Evaluation;
import io.inceptionpipeline.models.train.FashionMnist;
import io.inceptionpipeline.operators.decode.IccMode;
import io.inceptionpipeline.operators.decode.ImageDecoder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code evaluate}: accuracy of a model on a labelled set. */
@Command(
        name = "evaluate",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Measures a model's accuracy on labelled images and prints it as Markdown: top-1, top-5,",
            "accuracy per class and the confusion matrix. The images are the Fashion-MNIST idx files",
            "(--fashion-mnist) or a folder with one subfolder per class (--folder), each subfolder named by",
            "the class's index or its label (case-insensitive, '/' written as '_')."
        })
final class EvaluateCommand implements Callable<Integer> {

    @Mixin ModelOptions modelOptions;

    @Option(
            names = "--fashion-mnist",
            paramLabel = "DIR",
            description =
                    "Folder of the Fashion-MNIST idx files. Default, when neither this nor --folder is given: /usr/share/datasets/fashion-mnist (Debian's dataset-fashion-mnist), as train does.")
    Path fashionMnist;

    @Option(
            names = "--split",
            defaultValue = "test",
            description =
                    "test (10,000) or train (60,000) with --fashion-mnist. Default: ${DEFAULT-VALUE}.")
    String split;

    @Option(
            names = "--folder",
            paramLabel = "DIR",
            description = "A folder of class subfolders of images.")
    Path folder;

    @Option(
            names = "--limit",
            defaultValue = "0",
            description = "Evaluate only the first N images (0: all).")
    int limit;

    @Option(
            names = "--batch-size",
            defaultValue = "250",
            description = "Default: ${DEFAULT-VALUE}.")
    int batchSize;

    @Option(
            names = "--crop-mode",
            defaultValue = "center",
            description = {
                "center (one crop), ten (center and corners, each mirrored; a 28x28 model's frame zero-padded",
                "by 2 first) or multiscale (the GoogLeNet paper's 144 crops): an image's answer is the mean of its",
                "crops' probabilities. Default: ${DEFAULT-VALUE}."
            })
    String cropMode;

    @Option(
            names = "--ensemble-weights",
            paramLabel = "W1,W2,...",
            description = {
                "With --model a,b,c (an ensemble; --weights fa,fb,fc gives one weights file per model):",
                "each model's weight in the averaged probabilities. Default: equal."
            })
    String ensembleWeights;

    @Mixin IccOption iccOption;

    @Option(
            names = "--output",
            paramLabel = "FILE",
            description = "Also write the Markdown to FILE.")
    Path output;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (fashionMnist == null && folder == null) {
            // As train does: Debian's dataset-fashion-mnist where it is installed.
            if (!Files.isDirectory(FashionMnist.DEBIAN_DIR)) {
                throw new CommandLine.ParameterException(
                        spec.commandLine(),
                        "Give --fashion-mnist DIR or --folder DIR (the default, "
                                + FashionMnist.DEBIAN_DIR
                                + ", does not exist: apt-get install dataset-fashion-mnist)");
            }
            fashionMnist = FashionMnist.DEBIAN_DIR;
        }
        if (fashionMnist != null && folder != null) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(),
                    "Give one of --fashion-mnist DIR and --folder DIR, not both");
        }
        if (!split.equals("test") && !split.equals("train") || batchSize < 1 || limit < 0) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(),
                    "--split is test or train; --batch-size >= 1; --limit >= 0");
        }
        CropMode mode;
        EnsembleSpec ensemble;
        IccMode iccMode;
        try {
            mode = CropMode.parse(cropMode);
            iccMode = IccMode.parse(iccOption.icc);
            ensemble = modelOptions.ensemble(ensembleWeights);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        if (mode == CropMode.NONE) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(), "--crop-mode is center, ten or multiscale");
        }
        List<ScoringModel> members = modelOptions.loadOrReport(ensemble);
        if (members == null) {
            return Main.EXIT_MODEL_ERROR;
        }
        Evaluation evaluation;
        try (Closer closer = new Closer(members)) {
            ScoringModel model = members.get(0);
            for (ScoringModel member : members) {
                if (member.numClasses() != model.numClasses()) {
                    System.err.println(
                            "error: ensemble members differ in their classes ("
                                    + model.numClasses()
                                    + " and "
                                    + member.numClasses()
                                    + ")");
                    return 2;
                }
            }
            if (model.numClasses() == 0) {
                System.err.println(
                        "error: "
                                + model.spec().name()
                                + " has no classifier (an embedding model): nothing to evaluate");
                return 2;
            }
            Labels labels = model.spec().labels();
            List<String> classes = new ArrayList<>();
            for (int i = 0; i < model.numClasses(); i++) {
                classes.add(labels.label(i, model.numClasses()));
            }
            long started = System.nanoTime();
            if (fashionMnist != null) {
                FashionMnist.Split data = FashionMnist.load(fashionMnist, split.equals("train"));
                if (limit > 0) {
                    data = data.head(limit);
                }
                FashionMnist.Split images = data;
                evaluation =
                        Evaluation.of(
                                members,
                                ensemble.weights(),
                                classes,
                                images.size(),
                                images::rgb,
                                i -> images.labels()[i],
                                batchSize,
                                mode);
            } else {
                List<Path> files = new ArrayList<>();
                List<Integer> truth = new ArrayList<>();
                listFolder(folder, classes, files, truth);
                int count = limit > 0 ? Math.min(limit, files.size()) : files.size();
                ImageDecoder decoder = new ImageDecoder(ImageDecoder.DEFAULT_MAX_PIXELS, iccMode);
                evaluation =
                        Evaluation.of(
                                members,
                                ensemble.weights(),
                                classes,
                                count,
                                i -> decode(decoder, files.get(i)),
                                truth::get,
                                batchSize,
                                mode);
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            String markdown =
                    String.format(
                            Locale.ROOT,
                            "# %s on %s%n%nweights %s; crop mode %s (%d crops per image); %d images in %.1f s (%.1f images/s)%n%n%s",
                            members.stream()
                                    .map(m -> m.spec().name())
                                    .collect(java.util.stream.Collectors.joining(" + ")),
                            fashionMnist != null ? "Fashion-MNIST " + split : folder,
                            members.stream()
                                    .map(ScoringModel::weightsDigest)
                                    .collect(java.util.stream.Collectors.joining(", ")),
                            mode.id(),
                            mode.cropCount(),
                            evaluation.count(),
                            seconds,
                            evaluation.count() / seconds,
                            evaluation.markdown());
            System.out.print(markdown);
            if (output != null) {
                Files.writeString(output, markdown);
            }
        }
        return 0;
    }

    /** Closes every member. */
    private record Closer(List<ScoringModel> models) implements AutoCloseable {
        @Override
        public void close() {
            models.forEach(ScoringModel::close);
        }
    }

    private static RgbImage decode(ImageDecoder decoder, Path file) {
        try {
            return decoder.decode(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (Exception e) {
            throw new IllegalArgumentException("Cannot decode " + file + ": " + e.getMessage(), e);
        }
    }

    private void listFolder(Path root, List<String> classes, List<Path> files, List<Integer> truth)
            throws IOException {
        try (Stream<Path> subfolders = Files.list(root)) {
            for (Path sub : subfolders.filter(Files::isDirectory).sorted().toList()) {
                int label = classIndex(sub.getFileName().toString(), classes);
                try (Stream<Path> images = Files.walk(sub)) {
                    for (Path image : images.filter(Files::isRegularFile).sorted().toList()) {
                        files.add(image);
                        truth.add(label);
                    }
                }
            }
        }
        if (files.isEmpty()) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(), "No images in class subfolders of " + root);
        }
    }

    private int classIndex(String name, List<String> classes) {
        if (name.matches("\\d+") && Integer.parseInt(name) < classes.size()) {
            return Integer.parseInt(name);
        }
        for (int i = 0; i < classes.size(); i++) {
            if (classes.get(i).replace('/', '_').equalsIgnoreCase(name)) {
                return i;
            }
        }
        throw new CommandLine.ParameterException(
                spec.commandLine(),
                "Folder '"
                        + name
                        + "' names no class of the model (an index, or one of "
                        + classes
                        + ")");
    }
}
