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
import io.inceptionpipeline.models.onnx.OnnxExport;
import io.inceptionpipeline.models.spec.ModelSpec;
import io.inceptionpipeline.models.verify.Canary;
import io.inceptionpipeline.models.verify.CpuFeatures;
import io.inceptionpipeline.models.verify.EngineGuard;
import io.inceptionpipeline.models.verify.KnownAnswerCheck;
import io.inceptionpipeline.models.verify.KnownAnswerException;
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
import java.util.Optional;
import java.util.function.Supplier;
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
    private final List<KnownAnswerCheck.Result> knownAnswers = new ArrayList<>();

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

    /**
     * Loads {@code spec} with {@code weights} on {@code engine}, after verifying the engine ({@link
     * EngineGuard}) and the network's known answers ({@link #verifyAndFill}). Throws a {@link
     * KnownAnswerException} when the engine computes wrong results on this machine.
     */
    public static ScoringModel load(
            ModelSpec spec, WeightsSource weights, Device device, String engine)
            throws IOException {
        Device target = device != null ? device : defaultDevice(engine);
        EngineGuard.verify(engine, target);
        long started = System.nanoTime();
        Source source = Source.of(spec, weights);
        ScoringModel loaded =
                build(spec, source.classes(), target, engine, source.digest(), source.random());
        long checkNanos;
        try {
            checkNanos = loaded.verifyAndFill(source);
        } catch (IOException | RuntimeException e) {
            loaded.close();
            throw e;
        }
        LOG.info(
                "Loaded {} ({} classes, weights {}) on {} {} in {} ms, known-answer check {} ms"
                        + " ({})",
                spec.name(),
                loaded.numClasses(),
                loaded.weightsDigest,
                engine,
                target,
                (System.nanoTime() - started) / 1_000_000,
                checkNanos / 1_000_000,
                loaded.knownAnswers.stream().map(KnownAnswerCheck.Result::describe).toList());
        return loaded;
    }

    /**
     * Where the weights come from: the classifier rows and digest known before loading, and how to
     * put them into the network.
     */
    private record Source(int classes, String digest, boolean random, Filler filler) {

        interface Filler {
            void fill(ScoringModel model) throws IOException;
        }

        static Source of(ModelSpec spec, WeightsSource weights) throws IOException {
            if (weights instanceof WeightsSource.Seeded seeded) {
                return new Source(
                        spec.numClasses(),
                        "seeded:" + seeded.seed(),
                        true,
                        m -> SeededWeights.fill(StateDict.of(m.network), seeded.seed()));
            }
            if (weights instanceof WeightsSource.Bundled bundled) {
                return safetensors(spec, extract(bundled.resource()));
            }
            Path file = ((WeightsSource.File) weights).path();
            if (!Files.isRegularFile(file)) {
                throw new IOException("Weights file " + file + " does not exist or is not a file");
            }
            return DjlParams.isDjlParams(file) ? djlParams(spec, file) : safetensors(spec, file);
        }

        private static Source safetensors(ModelSpec spec, Path file) throws IOException {
            int rows = WeightImporter.classifierRows(file, spec.classifierWeight());
            return new Source(
                    rows > 0 ? rows : spec.numClasses(),
                    sha256(file),
                    false,
                    m -> WeightImporter.importSafetensors(m.network, file));
        }

        private static Source djlParams(ModelSpec spec, Path file) throws IOException {
            Map<String, String> properties = DjlParams.properties(file);
            String savedModel = properties.get(PROP_MODEL);
            if (savedModel != null && !savedModel.equals(spec.name())) {
                throw new IOException(
                        file + " holds weights of " + savedModel + ", not " + spec.name());
            }
            int classes =
                    Integer.parseInt(
                            properties.getOrDefault(
                                    PROP_CLASSES, Integer.toString(spec.numClasses())));
            String digest = properties.get(PROP_DIGEST);
            return new Source(
                    classes,
                    digest != null ? digest : sha256(file),
                    false,
                    m -> DjlParams.load(file, m.network, m.model.getNDManager()));
        }
    }

    /**
     * Puts the weights into the network, verifying on the way what it computes; returns the
     * nanoseconds the checks took. Where the project holds the known answers for these very weights
     * (seeded weights of the family, the shipped model), those are compared. Otherwise the network
     * first runs with seeded weights against the seeded answers (the engine computes this
     * architecture right), then gets its weights, whose canary batch must equal its images scored
     * one by one. A failed check applies the engine's remedy if there is one and checks again;
     * failing still, it throws.
     */
    private long verifyAndFill(Source source) throws IOException {
        Optional<Canary> canary = Canary.of(spec.name());
        Optional<Canary.Entry> exact = canary.flatMap(c -> c.entry(weightsDigest));
        if (exact.isPresent()) {
            source.filler().fill(this);
            injectFault();
            foldBatchNorm(true);
            long started = System.nanoTime();
            knownAnswers.add(
                    verified(() -> KnownAnswerCheck.compare(canaryOutputs(), exact.get(), true)));
            return System.nanoTime() - started;
        }
        long started = System.nanoTime();
        Optional<Canary.Entry> seeded = canary.flatMap(c -> c.entry("seeded:" + Canary.SEED));
        if (seeded.isPresent()) {
            // A second network of the same shape on the same engine and device: the served
            // one's arrays may be in an engine-private layout after a forward pass (MXNet's
            // oneDNN), and must never hold anything but the user's weights.
            try (ScoringModel check =
                    build(spec, numClasses(), device(), engine(), "seeded:" + Canary.SEED, true)) {
                SeededWeights.fill(StateDict.of(check.network), Canary.SEED);
                check.injectFault();
                check.foldBatchNorm(true);
                boolean sameHead = numClasses() == seeded.get().numClasses();
                knownAnswers.add(
                        verified(
                                () ->
                                        KnownAnswerCheck.compare(
                                                check.canaryOutputs(), seeded.get(), sameHead)));
            }
        } else {
            LOG.warn("{} has no known answers: only its batch consistency is checked", spec.name());
        }
        long checking = System.nanoTime() - started;
        source.filler().fill(this);
        foldBatchNorm(true);
        started = System.nanoTime();
        knownAnswers.add(
                verified(
                        () ->
                                KnownAnswerCheck.batchConsistency(
                                        network, model.getNDManager(), spec.inputSize())));
        return checking + System.nanoTime() - started;
    }

    /** Runs {@code check}; on a failure applies the engine's remedy, if any, and runs it again. */
    private KnownAnswerCheck.Result verified(Supplier<KnownAnswerCheck.Result> check)
            throws KnownAnswerException {
        KnownAnswerCheck.Result result = check.get();
        if (result.passed()) {
            return result;
        }
        String remedy = EngineGuard.applyRemedy(engine(), device());
        if (remedy != null) {
            KnownAnswerCheck.Result again = check.get();
            if (again.passed()) {
                LOG.warn(
                        "{} on {} {} failed its known-answer check ({}); right after the remedy"
                                + " ({}): {}",
                        spec.name(),
                        engine(),
                        device(),
                        result.describe(),
                        remedy,
                        again.describe());
                EngineGuard.remedyHelped(engine(), device(), result.describe());
                return again;
            }
            result = again;
            remedy = EngineGuard.revertRemedy(engine(), remedy);
        }
        throw new KnownAnswerException(
                String.format(
                        "Known-answer check failed for model %s (weights %s) on engine %s, device"
                                + " %s: %s. Remedy tried: %s. CPU: %s. Engine: %s.",
                        spec.name(),
                        weightsDigest,
                        engine(),
                        device(),
                        result.describe(),
                        remedy == null ? "none available" : remedy,
                        CpuFeatures.current().describe(),
                        EngineGuard.describeEngine(engine())));
    }

    /**
     * System property that deliberately corrupts one weight before the known-answer check, to show
     * that a wrong engine is refused (tests and drills only): {@code
     * -Dinception.faultInjection=corrupt-weight}.
     */
    public static final String FAULT_INJECTION = EngineGuard.FAULT_INJECTION;

    private void injectFault() {
        if ("corrupt-weight".equals(System.getProperty(FAULT_INJECTION))) {
            Map.Entry<String, ai.djl.nn.Parameter> first =
                    StateDict.of(network).entrySet().iterator().next();
            NDArray array = first.getValue().getArray();
            float[] values = array.toFloatArray();
            values[0] += 1.0f;
            array.set(values);
            LOG.warn("Fault injection: weight {}[0] corrupted", first.getKey());
        }
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
     * Writes this model as ONNX (the served graph: BatchNorm folded into the convolutions), with
     * its name, weights digest and preprocessing as metadata; see {@link OnnxExport}.
     */
    public OnnxExport.Summary exportOnnx(Path file) throws IOException {
        return OnnxExport.write(network, spec, weightsDigest, file);
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

    /** This model's outputs on the known-answer batch ({@link Canary#inputs}). */
    public KnownAnswerCheck.Outputs canaryOutputs() {
        return KnownAnswerCheck.forward(network, model.getNDManager(), spec.inputSize());
    }

    /** What the known-answer checks at load found (every one passed, or the load failed). */
    public List<KnownAnswerCheck.Result> knownAnswers() {
        return List.copyOf(knownAnswers);
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
