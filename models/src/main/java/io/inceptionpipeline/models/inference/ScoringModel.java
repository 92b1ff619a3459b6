package io.inceptionpipeline.models.inference;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import io.inceptionpipeline.models.ClassifierNetwork;
import io.inceptionpipeline.models.image.Preprocessor;
import io.inceptionpipeline.models.image.RgbImage;
import io.inceptionpipeline.models.layers.ConvNormAct;
import io.inceptionpipeline.models.spec.ModelSpec;
import io.inceptionpipeline.models.weights.SeededWeights;
import io.inceptionpipeline.models.weights.StateDict;
import io.inceptionpipeline.models.weights.WeightImporter;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A network of the family with its weights, ready to score batches of 8-bit crops. One instance a
 * thread (a Flink subtask owns one): it is not thread-safe. Close it to free native memory.
 *
 * <pre>{@code
 * ModelSpec spec = ModelRegistry.get("inception_resnet_v2");
 * try (ScoringModel model = ScoringModel.load(spec, new WeightsSource.File(path), null)) {
 *     List<Scores> scores = model.score(crops, 5, true);
 * }
 * }</pre>
 */
public final class ScoringModel implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ScoringModel.class);

    /** DJL engine the models run on unless told otherwise. */
    public static final String DEFAULT_ENGINE = "MXNet";

    /** The engines users can pick ({@code --engine}), by option value. */
    public static final Map<String, String> ENGINES =
            java.util.Collections.unmodifiableMap(
                    new java.util.TreeMap<>(Map.of("mxnet", "MXNet", "pytorch", "PyTorch")));

    /** DJL's name of the engine an option value ({@code mxnet}, {@code pytorch}) names. */
    public static String engineName(String option) {
        String name = ENGINES.get(option.trim().toLowerCase(java.util.Locale.ROOT));
        if (name == null) {
            throw new IllegalArgumentException(
                    "Unknown engine '" + option + "'; known engines: " + ENGINES.keySet());
        }
        return name;
    }

    private static final String PROP_MODEL = "inception.model";
    private static final String PROP_CLASSES = "inception.numClasses";
    private static final String PROP_DIGEST = "inception.weightsDigest";

    private final ModelSpec spec;
    private final Model model;
    private final ClassifierNetwork network;
    private final Preprocessor preprocessor;
    private final ParameterStore parameters;
    private final String weightsDigest;
    private final boolean random;

    private ScoringModel(
            ModelSpec spec, Model model, ClassifierNetwork network, String digest, boolean random) {
        this.spec = spec;
        this.model = model;
        this.network = network;
        this.preprocessor = spec.preprocessor();
        this.parameters = new ParameterStore(model.getNDManager(), false);
        this.weightsDigest = digest;
        this.random = random;
    }

    /** Loads on the default engine; {@code device} null means the first GPU if any, else CPU. */
    public static ScoringModel load(ModelSpec spec, WeightsSource weights, Device device)
            throws IOException {
        return load(spec, weights, device, DEFAULT_ENGINE);
    }

    /** Loads {@code spec} with {@code weights} on {@code engine}. */
    public static ScoringModel load(
            ModelSpec spec, WeightsSource weights, Device device, String engine)
            throws IOException {
        Device target = device != null ? device : defaultDevice(engine);
        long started = System.nanoTime();
        ScoringModel loaded;
        if (weights instanceof WeightsSource.Seeded seeded) {
            loaded =
                    build(spec, spec.numClasses(), target, engine, "seeded:" + seeded.seed(), true);
            SeededWeights.fill(StateDict.of(loaded.network), seeded.seed());
        } else if (weights instanceof WeightsSource.Bundled bundled) {
            loaded = loadSafetensors(spec, extract(bundled.resource()), target, engine);
        } else {
            Path file = ((WeightsSource.File) weights).path();
            if (!Files.isRegularFile(file)) {
                throw new IOException("Weights file " + file + " does not exist or is not a file");
            }
            loaded =
                    DjlParams.isDjlParams(file)
                            ? loadDjlParams(spec, file, target, engine)
                            : loadSafetensors(spec, file, target, engine);
        }
        loaded.foldBatchNorm(true);
        LOG.info(
                "Loaded {} ({} classes, weights {}) on {} {} in {} ms",
                spec.name(),
                loaded.numClasses(),
                loaded.weightsDigest,
                engine,
                target,
                (System.nanoTime() - started) / 1_000_000);
        return loaded;
    }

    /** Copies a bundled weights resource to a temporary file (safetensors are read by offset). */
    private static Path extract(String resource) throws IOException {
        try (InputStream in = ScoringModel.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException("No bundled weights " + resource + " on the class path");
            }
            Path file = Files.createTempFile("weights-", ".safetensors");
            file.toFile().deleteOnExit();
            Files.copy(in, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            return file;
        }
    }

    private static ScoringModel loadSafetensors(
            ModelSpec spec, Path file, Device device, String engine) throws IOException {
        int rows = WeightImporter.classifierRows(file, spec.classifierWeight());
        ScoringModel loaded =
                build(
                        spec,
                        rows > 0 ? rows : spec.numClasses(),
                        device,
                        engine,
                        sha256(file),
                        false);
        try {
            WeightImporter.importSafetensors(loaded.network, file);
        } catch (IOException | RuntimeException e) {
            loaded.close();
            throw e;
        }
        return loaded;
    }

    private static ScoringModel loadDjlParams(
            ModelSpec spec, Path file, Device device, String engine) throws IOException {
        Map<String, String> properties = DjlParams.properties(file);
        String savedModel = properties.get(PROP_MODEL);
        if (savedModel != null && !savedModel.equals(spec.name())) {
            throw new IOException(
                    file + " holds weights of " + savedModel + ", not " + spec.name());
        }
        int classes =
                Integer.parseInt(
                        properties.getOrDefault(PROP_CLASSES, Integer.toString(spec.numClasses())));
        String digest = properties.get(PROP_DIGEST);
        ScoringModel loaded =
                build(spec, classes, device, engine, digest != null ? digest : sha256(file), false);
        try {
            DjlParams.load(file, loaded.network, loaded.model.getNDManager());
        } catch (IOException | RuntimeException e) {
            loaded.close();
            throw e;
        }
        return loaded;
    }

    private static ScoringModel build(
            ModelSpec spec,
            int classes,
            Device device,
            String engine,
            String digest,
            boolean random) {
        ClassifierNetwork network = spec.network().apply(classes);
        Model model = Model.newInstance(spec.name(), device, engine);
        try {
            model.setBlock(network);
            // Every value is overwritten right after; zeros are the cheapest placeholder.
            network.setInitializer(Initializer.ZEROS, p -> true);
            network.initialize(
                    model.getNDManager(), DataType.FLOAT32, new Shape(spec.inputShape(1)));
            return new ScoringModel(spec, model, network, digest, random);
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
    }

    private static Device defaultDevice(String engine) {
        return Engine.getEngine(engine).getGpuCount() > 0 ? Device.gpu() : Device.cpu();
    }

    /** SHA-256 of a file as {@code sha256:<hex>}. */
    static String sha256(Path file) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("Every JVM has SHA-256", e);
        }
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[1 << 20];
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                digest.update(buffer, 0, n);
            }
        }
        return "sha256:" + HexFormat.of().formatHex(digest.digest());
    }

    /**
     * Scores a batch of {@code inputSize²} crops in one forward pass: softmax top-{@code k} and, if
     * asked, the embedding of each.
     */
    public List<Scores> score(List<RgbImage> crops, int k, boolean withEmbedding) {
        if (crops.isEmpty()) {
            return List.of();
        }
        int n = crops.size();
        int perImage = 3 * spec.inputSize() * spec.inputSize();
        float[] input = new float[n * perImage];
        for (int i = 0; i < n; i++) {
            preprocessor.normalize(crops.get(i), input, i * perImage);
        }
        int classes = numClasses();
        float[] probabilities = new float[0]; // stays empty for an embedding-only network
        float[] embeddings = null;
        try (NDManager batch = model.getNDManager().newSubManager()) {
            NDArray x = batch.create(input, new Shape(spec.inputShape(n)));
            NDList out = network.forward(parameters, new NDList(x), false);
            if (classes > 0) {
                probabilities = out.get(0).softmax(1).toFloatArray();
            }
            if (withEmbedding) {
                embeddings = out.get(1).toFloatArray();
            }
        }
        int width = network.embeddingSize();
        List<Scores> result = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            float[] embedding = null;
            if (embeddings != null) {
                embedding = new float[width];
                System.arraycopy(embeddings, i * width, embedding, 0, width);
            }
            result.add(new Scores(topK(probabilities, i * classes, classes, k), embedding));
        }
        return result;
    }

    private List<TopK> topK(float[] probabilities, int offset, int classes, int k) {
        int count = Math.min(k, classes);
        int[] best = new int[count];
        int filled = 0;
        for (int c = 0; c < classes; c++) {
            float p = probabilities[offset + c];
            if (filled < count) {
                best[filled++] = c;
            } else if (p > probabilities[offset + best[count - 1]]) {
                best[count - 1] = c;
            } else {
                continue;
            }
            // insertion step keeps best[] sorted by descending probability, ties by lower index
            for (int j = filled - 1;
                    j > 0 && probabilities[offset + best[j]] > probabilities[offset + best[j - 1]];
                    j--) {
                int t = best[j];
                best[j] = best[j - 1];
                best[j - 1] = t;
            }
        }
        List<TopK> top = new ArrayList<>(count);
        for (int c : best) {
            top.add(new TopK(c, spec.labels().label(c, classes), probabilities[offset + c]));
        }
        return top;
    }

    /** Saves the weights in DJL's {@code .params} format; returns the file written. */
    public Path save(Path directory) throws IOException {
        model.setProperty(PROP_MODEL, spec.name());
        model.setProperty(PROP_CLASSES, Integer.toString(numClasses()));
        model.setProperty(PROP_DIGEST, weightsDigest);
        model.setProperty("Epoch", "0");
        model.save(directory, spec.name());
        return directory.resolve(spec.name() + "-0000.params");
    }

    /**
     * Whether inference runs with BatchNorm folded into the preceding convolutions (the default
     * after loading; numerically equal within float rounding, and faster).
     */
    public void foldBatchNorm(boolean fold) {
        ConvNormAct.foldAll(network, fold);
    }

    /** Multiply-accumulates of one image's forward pass (convolutions and classifier). */
    public long macsPerImage() {
        return network.macs(new Shape(spec.inputShape(1)));
    }

    public ModelSpec spec() {
        return spec;
    }

    public Preprocessor preprocessor() {
        return preprocessor;
    }

    /** Rows of the classifier head (1000, or 1001 for the TF-slim layout). */
    public int numClasses() {
        return network.numClasses();
    }

    public int embeddingSize() {
        return network.embeddingSize();
    }

    /** {@code sha256:<hex>} of the weights file, or {@code seeded:<seed>} for random weights. */
    public String weightsDigest() {
        return weightsDigest;
    }

    /** Whether the weights are seeded random ones (benchmarks only). */
    public boolean randomWeights() {
        return random;
    }

    /** DJL's name of the engine this model runs on. */
    public String engine() {
        return model.getNDManager().getEngine().getEngineName();
    }

    /** The device the model runs on. */
    public Device device() {
        return model.getNDManager().getDevice();
    }

    @Override
    public void close() {
        model.close();
    }
}
