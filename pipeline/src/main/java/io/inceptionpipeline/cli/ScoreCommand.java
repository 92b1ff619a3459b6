package io.inceptionpipeline.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.inceptionpipeline.models.image.CropMode;
import io.inceptionpipeline.models.image.Preprocessor;
import io.inceptionpipeline.models.image.RgbImage;
import io.inceptionpipeline.models.inference.ScoreMean;
import io.inceptionpipeline.models.inference.Scores;
import io.inceptionpipeline.models.inference.ScoringModel;
import io.inceptionpipeline.models.inference.TopK;
import io.inceptionpipeline.models.spec.Labels;
import io.inceptionpipeline.models.spec.ModelSummary;
import io.inceptionpipeline.operators.decode.DecodeException;
import io.inceptionpipeline.operators.decode.IccMode;
import io.inceptionpipeline.operators.decode.ImageDecoder;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code score}: images on disk in, one JSON line per image out. */
@Command(
        name = "score",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Scores image files and writes one JSON object per image to stdout (JSON Lines), in input order:",
            "  {\"uri\": \"file:///...\", \"model\": ..., \"weights\": \"sha256:...\" or \"random\",",
            "   \"engine\": \"onnxruntime\", \"precision\": \"fp32\" (or int8, fp16), \"device\": \"cpu\" (or gpu:N),",
            "   \"top_k\": [{\"index\": i, \"label\": \"...\", \"score\": p}, ...], \"embedding\": [...]}",
            "Scores are softmax probabilities. A file that cannot be read or decoded yields",
            "{\"uri\": ..., \"error\": \"...\"} and the run goes on. Directories are walked recursively in name",
            "order, skipping hidden files."
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:every image was scored",
            "1:at least one image failed (see its \"error\" record)",
            "2:invalid command line",
            "3:the model or its weights could not be loaded"
        })
final class ScoreCommand implements Callable<Integer> {

    @Mixin ModelOptions modelOptions;

    @Option(
            names = {"--preprocess", "--crop-mode"},
            defaultValue = "center",
            description = {
                "center: resize the shorter side to input/crop_pct with the model's filter (IRv2: 333 px,",
                "bicubic, as timm does) and crop the center input x input square; none: the image is already",
                "input x input (IRv2: 299), only scale and normalize; ten (center and corners, each mirrored)",
                "or multiscale (the GoogLeNet paper's 144 crops): the mean of the crops' probabilities and",
                "embeddings. Default: ${DEFAULT-VALUE}."
            })
    String preprocess;

    @Option(
            names = "--top-k",
            paramLabel = "K",
            defaultValue = "5",
            description = "Classes per image. Default: ${DEFAULT-VALUE}.")
    int topK;

    @Option(
            names = "--embeddings",
            description = "Also write the pooled feature vector (IRv2: 1536 floats).")
    boolean embeddings;

    @Option(
            names = "--batch-size",
            paramLabel = "N",
            defaultValue = "8",
            description = "Images per forward pass. Default: ${DEFAULT-VALUE}.")
    int batchSize;

    @Option(
            names = "--max-pixels",
            paramLabel = "N",
            defaultValue = "" + ImageDecoder.DEFAULT_MAX_PIXELS,
            description =
                    "Refuse images whose header declares more pixels (decompression bombs). Default: ${DEFAULT-VALUE}.")
    long maxPixels;

    @Mixin IccOption iccOption;

    @Option(
            names = "--max-file-bytes",
            paramLabel = "N",
            defaultValue = "67108864",
            description = "Refuse files larger than this. Default: ${DEFAULT-VALUE} (64 MiB).")
    long maxFileBytes;

    @Option(
            names = "--list-models",
            description = {
                "Print every model: parameters and GMACs measured from the Java network, input size, crop",
                "fraction, embedding width, classes, and whether trained weights ship with it; then exit."
            })
    boolean listModels;

    @Parameters(
            arity = "0..*",
            paramLabel = "IMAGE_OR_DIRECTORY",
            description = "Image files or directories of them.")
    List<Path> inputs;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    private final ObjectMapper json = new ObjectMapper();

    /** One input file: its URI and, once prepared, its crop or why it failed. */
    private static final class Item {
        final Path path;
        final String uri;
        List<RgbImage> crops;
        String error;

        Item(Path path) {
            this.path = path;
            this.uri = path.toAbsolutePath().normalize().toUri().toString();
        }
    }

    @Override
    public Integer call() throws Exception {
        if (listModels) {
            System.out.print(ModelSummary.table(ModelSummary.all()));
            return 0;
        }
        validate();
        CropMode cropMode = CropMode.parse(preprocess);
        List<Item> items = expand(inputs);

        ScoringModel model = modelOptions.loadOrReport();
        if (model == null) {
            return Main.EXIT_MODEL_ERROR;
        }
        String weights = model.randomWeights() ? "random" : model.weightsDigest();
        if (model.randomWeights()) {
            System.err.println(
                    "WARNING: no --weights given: "
                            + model.spec().name()
                            + " uses seeded RANDOM weights. Its predictions are meaningless (benchmarks only).");
        }

        int failures = 0;
        ImageDecoder decoder = new ImageDecoder(maxPixels, IccMode.parse(iccOption.icc));
        Preprocessor preprocessor = model.preprocessor();
        PrintWriter out =
                new PrintWriter(
                        new BufferedWriter(
                                new OutputStreamWriter(System.out, StandardCharsets.UTF_8)));
        try (model) {
            for (int from = 0; from < items.size(); from += batchSize) {
                List<Item> chunk = items.subList(from, Math.min(items.size(), from + batchSize));
                chunk.parallelStream()
                        .forEach(item -> prepare(item, decoder, preprocessor, cropMode));
                List<Item> good = chunk.stream().filter(i -> i.crops != null).toList();
                List<Scores> scores;
                try {
                    scores = score(model, good, cropMode);
                } catch (RuntimeException e) {
                    good.forEach(i -> i.error = "Inference failed: " + e.getMessage());
                    scores = List.of();
                }
                int next = 0;
                for (Item item : chunk) {
                    if (item.error != null) {
                        failures++;
                        out.println(errorRecord(item));
                    } else {
                        out.println(
                                scoreRecord(item, model, weights, scores.get(next++), cropMode));
                    }
                    item.crops = null;
                }
                out.flush();
            }
        } finally {
            out.flush();
        }
        if (failures > 0) {
            System.err.println(failures + " of " + items.size() + " images failed");
        }
        return failures == 0 ? 0 : 1;
    }

    /**
     * One {@link Scores} per item: its crop's, or with several crops the mean of their
     * probabilities (top-k of it) and embeddings.
     */
    private List<Scores> score(ScoringModel model, List<Item> good, CropMode mode) {
        List<RgbImage> crops = good.stream().flatMap(i -> i.crops.stream()).toList();
        if (mode.cropCount() == 1) {
            return model.score(crops, topK, embeddings);
        }
        List<Scores> perCrop = new ArrayList<>(crops.size());
        for (int from = 0; from < crops.size(); from += batchSize) {
            perCrop.addAll(
                    model.score(
                            crops.subList(from, Math.min(crops.size(), from + batchSize)),
                            Integer.MAX_VALUE,
                            embeddings));
        }
        List<Scores> out = new ArrayList<>(good.size());
        int at = 0;
        for (Item item : good) {
            ScoreMean mean = new ScoreMean(model.numClasses());
            for (int c = 0; c < item.crops.size(); c++, at++) {
                mean.add(perCrop.get(at).topK(), 1);
                if (perCrop.get(at).embedding() != null) {
                    mean.addEmbedding(perCrop.get(at).embedding());
                }
            }
            Labels labels = model.spec().labels();
            out.add(
                    new Scores(
                            mean.topK(topK, c -> labels.label(c, model.numClasses())),
                            mean.embeddingMean()));
        }
        return out;
    }

    private void validate() {
        if (inputs == null || inputs.isEmpty()) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(), "Missing required parameter: 'IMAGE_OR_DIRECTORY'");
        }
        if (topK < 1) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(), "--top-k must be at least 1, got " + topK);
        }
        if (batchSize < 1) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(), "--batch-size must be at least 1, got " + batchSize);
        }
        if (maxPixels < 1 || maxFileBytes < 1) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(), "--max-pixels and --max-file-bytes must be positive");
        }
        try {
            CropMode.parse(preprocess);
            IccMode.parse(iccOption.icc);
            modelOptions.spec();
            ScoringModel.engineName(modelOptions.engine);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    /** Files in argument order; directories expand to their files in name order. */
    private static List<Item> expand(List<Path> inputs) throws IOException {
        List<Item> items = new ArrayList<>();
        for (Path input : inputs) {
            if (Files.isDirectory(input)) {
                try (Stream<Path> walk = Files.walk(input)) {
                    walk.filter(Files::isRegularFile)
                            .filter(
                                    p ->
                                            !input.relativize(p).toString().startsWith(".")
                                                    && !p.getFileName().toString().startsWith("."))
                            .sorted()
                            .forEach(p -> items.add(new Item(p)));
                }
            } else {
                items.add(new Item(input));
            }
        }
        return items;
    }

    private void prepare(
            Item item, ImageDecoder decoder, Preprocessor preprocessor, CropMode mode) {
        try {
            if (!Files.isRegularFile(item.path)) {
                throw new NoSuchFileException(item.path.toString());
            }
            long size = Files.size(item.path);
            if (size > maxFileBytes) {
                item.error = "File has " + size + " bytes, over the limit of " + maxFileBytes;
                return;
            }
            RgbImage image = decoder.decode(Files.readAllBytes(item.path));
            item.crops = preprocessor.crops(image, mode);
        } catch (NoSuchFileException e) {
            item.error = "No such file: " + item.path;
        } catch (IOException e) {
            item.error = "Cannot read file: " + e.getMessage();
        } catch (DecodeException e) {
            item.error = e.getMessage();
        } catch (RuntimeException e) {
            item.error = e.getClass().getSimpleName() + ": " + e.getMessage();
        }
    }

    private String errorRecord(Item item) {
        ObjectNode record = json.createObjectNode();
        record.put("uri", item.uri);
        record.put("error", item.error);
        return write(record);
    }

    private String scoreRecord(
            Item item, ScoringModel model, String weights, Scores scores, CropMode mode) {
        ObjectNode record = json.createObjectNode();
        record.put("uri", item.uri);
        record.put("model", model.spec().name());
        record.put("weights", weights);
        record.put("engine", model.engine().toLowerCase(java.util.Locale.ROOT));
        record.put("precision", model.precision().id());
        record.put("device", model.deviceName());
        if (mode.cropCount() > 1) {
            record.put("crop_mode", mode.id());
            record.put("crop_count", mode.cropCount());
        }
        ArrayNode top = record.putArray("top_k");
        for (TopK k : scores.topK()) {
            top.addObject().put("index", k.index()).put("label", k.label()).put("score", k.score());
        }
        if (scores.embedding() != null) {
            ArrayNode embedding = record.putArray("embedding");
            for (float v : scores.embedding()) {
                embedding.add(v);
            }
        }
        return write(record);
    }

    private String write(ObjectNode record) {
        try {
            return json.writeValueAsString(record);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
