package io.inceptionpipeline.models.inference;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.onnx.proto.OnnxMl;
import io.inceptionpipeline.models.ClassifierNetwork;
import io.inceptionpipeline.models.image.CropMode;
import io.inceptionpipeline.models.image.Preprocessor;
import io.inceptionpipeline.models.image.RgbImage;
import io.inceptionpipeline.models.layers.ConvNormAct;
import io.inceptionpipeline.models.onnx.Fp16Converter;
import io.inceptionpipeline.models.onnx.Int8Quantizer;
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
import java.util.concurrent.atomic.AtomicReference;
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

    /** DJL engine the models run on unless told otherwise (the API; training). */
    public static final String DEFAULT_ENGINE = "MXNet";

    /**
     * The {@code --engine} every inference command and the job take unless told otherwise: {@link
     * #AUTO}, decided by measurement (ONNX Runtime ran 1.7–2.9× the best DJL engine on every
     * network of the family at batch 8, docs/benchmarks.md), and safe because each engine it tries
     * must pass its self-test and known answers first.
     */
    public static final String DEFAULT_ENGINE_OPTION = "auto";

    /**
     * The engine that holds the DJL blocks when a command needs them (saving {@code .params}, an
     * ONNX export from the blocks, separate BatchNorm) and {@link #AUTO} was asked for.
     */
    public static final String BLOCKS_ENGINE = "MXNet";

    /**
     * The engines users can pick ({@code --engine}), by option value: the DJL engines that run the
     * blocks ({@link DjlBlockBackend}) and ONNX Runtime, which runs the graph exported from them
     * ({@link OnnxRuntimeBackend}).
     */
    public static final Map<String, String> ENGINES =
            java.util.Collections.unmodifiableMap(
                    new java.util.TreeMap<>(
                            Map.of(
                                    "mxnet",
                                    "MXNet",
                                    "pytorch",
                                    "PyTorch",
                                    "onnxruntime",
                                    OnnxRuntimeBackend.ENGINE)));

    /**
     * The DJL engine that holds the blocks while an ONNX Runtime model is built from them (weights
     * filled, BatchNorm folded, exported); it runs no forward pass.
     */
    static final String ONNX_BUILDER_ENGINE = "MXNet";

    /**
     * {@code --engine auto}: the first engine of {@link #AUTO_ORDER} that loads the model and
     * passes its checks on this machine. Resolved where the model loads (each TaskManager on its
     * own CPU).
     */
    public static final String AUTO = "auto";

    /**
     * The engines {@link #AUTO} tries, fastest first as measured on every network of the family at
     * batch 8 (docs/benchmarks.md: ONNX Runtime 1.7–2.9× the best DJL engine).
     */
    public static final List<String> AUTO_ORDER =
            List.of(OnnxRuntimeBackend.ENGINE, "PyTorch", "MXNet");

    /**
     * DJL's name of the engine an option value ({@code mxnet}, {@code pytorch}, ...) names, or
     * {@link #AUTO}.
     */
    public static String engineName(String option) {
        if (AUTO.equals(option.trim().toLowerCase(java.util.Locale.ROOT))) {
            return AUTO;
        }
        String name = ENGINES.get(option.trim().toLowerCase(java.util.Locale.ROOT));
        if (name == null) {
            throw new IllegalArgumentException(
                    "Unknown engine '"
                            + option
                            + "'; known engines: "
                            + ENGINES.keySet()
                            + " and "
                            + AUTO);
        }
        return name;
    }

    private static final String PROP_MODEL = "inception.model";
    private static final String PROP_CLASSES = "inception.numClasses";
    private static final String PROP_DIGEST = "inception.weightsDigest";

    private final ModelSpec spec;
    private final InferenceBackend backend;
    private final Preprocessor preprocessor;
    private final String weightsDigest;
    private final boolean random;
    private final List<KnownAnswerCheck.Result> knownAnswers = new ArrayList<>();
    private long macs = -1;
    private long checkNanos;
    private Precision precision = Precision.FP32;

    /** How an int8 graph's ranges were calibrated, from its metadata; null otherwise. */
    private String calibration;

    /** The graph this model converted at load (int8, fp16), which an export writes. */
    private OnnxMl.ModelProto convertedGraph;

    private ScoringModel(ModelSpec spec, InferenceBackend backend, String digest, boolean random) {
        this.spec = spec;
        this.backend = backend;
        this.preprocessor = spec.preprocessor();
        this.weightsDigest = digest;
        this.random = random;
        if (backend instanceof OnnxRuntimeBackend ort) {
            // an .onnx file the export command quantized or converted
            String written = ort.metadata().get(Int8Quantizer.PRECISION_KEY);
            if ("int8".equals(written)) {
                this.precision = Precision.INT8;
                this.calibration = ort.metadata().get(Int8Quantizer.CALIBRATION_KEY);
            } else if ("fp16".equals(written)) {
                this.precision = Precision.FP16;
            }
        }
    }

    /** Loads on the default engine; {@code device} null means the first GPU if any, else CPU. */
    public static ScoringModel load(ModelSpec spec, WeightsSource weights, Device device)
            throws IOException {
        return load(spec, weights, device, DEFAULT_ENGINE);
    }

    /**
     * Loads {@code spec} with {@code weights} on {@code engine}, after verifying the engine ({@link
     * EngineGuard}) and the network's known answers ({@link #verifiedLoad}). Throws a {@link
     * KnownAnswerException} when the engine computes wrong results on this machine.
     */
    public static ScoringModel load(
            ModelSpec spec, WeightsSource weights, Device device, String engine)
            throws IOException {
        return load(spec, weights, device, engine, 0);
    }

    /**
     * As {@link #load(ModelSpec, WeightsSource, Device, String)}, with {@code threads} the intra-op
     * threads of an ONNX Runtime session (0: one per available processor). The DJL engines take
     * their threads from OpenMP ({@link NativeThreads}) instead.
     */
    public static ScoringModel load(
            ModelSpec spec, WeightsSource weights, Device device, String engine, int threads)
            throws IOException {
        if (AUTO.equals(engine)) {
            return loadFirstVerified(spec, weights, device, threads);
        }
        Device target = device != null ? device : defaultDevice(engine);
        requireDevice(engine, target);
        EngineGuard.verify(engine, target);
        long started = System.nanoTime();
        Source source = Source.of(spec, weights);
        Opener opener =
                OnnxRuntimeBackend.ENGINE.equals(engine)
                        ? new OnnxRuntimeOpener(spec, target, threads, null)
                        : new DjlOpener(spec, target, engine);
        ScoringModel loaded = verifiedLoad(spec, source, opener);
        if (loaded.precision == Precision.FP16) {
            loaded.verifyFp16Reference();
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
                loaded.checkNanos / 1_000_000,
                loaded.knownAnswers.stream().map(KnownAnswerCheck.Result::describe).toList());
        return loaded;
    }

    /**
     * {@link #AUTO}: tries {@link #AUTO_ORDER} and keeps the first engine whose self-test and known
     * answers pass here; an engine that computes wrong results or cannot load on this platform is
     * skipped with a warning. An {@code .onnx} weights file runs on ONNX Runtime only. Other errors
     * (a broken weights file) would fail on every engine and are thrown at once.
     */
    private static ScoringModel loadFirstVerified(
            ModelSpec spec, WeightsSource weights, Device device, int threads) throws IOException {
        boolean onnxFile = weights instanceof WeightsSource.File file && isOnnx(file.path());
        List<String> order = onnxFile ? List.of(OnnxRuntimeBackend.ENGINE) : AUTO_ORDER;
        List<String> skipped = new ArrayList<>();
        Exception first = null;
        for (String engine : order) {
            try {
                ScoringModel loaded = load(spec, weights, device, engine, threads);
                LOG.info(
                        "--engine auto chose {} for {} (order {}{})",
                        engine,
                        spec.name(),
                        order,
                        skipped.isEmpty() ? "" : "; skipped: " + skipped);
                return loaded;
            } catch (KnownAnswerException | ai.djl.engine.EngineException | LinkageError e) {
                LOG.warn("--engine auto skips {}: {}", engine, e.getMessage());
                skipped.add(engine);
                if (first == null) {
                    first = e instanceof Exception ex ? ex : new IOException(e);
                }
            }
        }
        if (first instanceof KnownAnswerException wrong) {
            throw new KnownAnswerException(
                    "--engine auto found no engine that computes right here (tried "
                            + skipped
                            + "); the first: "
                            + wrong.getMessage()
                                    .replace(" " + KnownAnswerException.WHAT_TO_DO, ""));
        }
        throw new IOException("--engine auto could load no engine (tried " + skipped + ")", first);
    }

    /**
     * Loads {@code spec} with {@code weights} on ONNX Runtime in int8: the float32 graph is loaded
     * and verified as {@link #load} does, its activation ranges are measured on {@code
     * quantization}'s calibration images, the graph is quantized ({@link Int8Quantizer}) and the
     * int8 model must agree with float32's top-1 on those images at least as often as {@link
     * Quantization#minAgreement} says, else a {@link KnownAnswerException} names the agreement
     * reached. {@code engine} must be ONNX Runtime or {@link #AUTO}: no DJL engine runs QDQ graphs.
     * Weights on CPUs without VNNI are kept to 7 bits (see {@link Int8Quantizer#quantize}).
     */
    public static ScoringModel loadInt8(
            ModelSpec spec,
            WeightsSource weights,
            Device device,
            String engine,
            int threads,
            Quantization quantization)
            throws IOException {
        long started = System.nanoTime();
        try (VerifiedFloat verified =
                VerifiedFloat.load(spec, weights, device, engine, threads, Precision.INT8)) {
            ScoringModel fp32 = verified.model();
            OnnxMl.ModelProto graph = verified.graph();
            Source source = verified.source();
            Device target = verified.device();
            if (Int8Quantizer.isQuantized(graph)) {
                throw new IOException(
                        "The ONNX file is already quantized to int8: serve it with --precision fp32"
                                + " (the default), which runs the graph as it is");
            }
            long calibrating = System.nanoTime();
            OnnxMl.ModelProto prepared = Int8Quantizer.foldScales(graph);
            List<String> tensors = Int8Quantizer.activations(prepared);
            int count = quantization.calibration().size();
            float[] images = fp32.normalizedCrops(quantization.calibration());
            Map<String, Int8Quantizer.Range> ranges =
                    Int8Calibration.ranges(
                            prepared,
                            tensors,
                            images,
                            count,
                            spec.inputSize(),
                            CALIBRATION_BATCH,
                            threads,
                            target,
                            quantization.method());
            boolean reduceRange = !CpuFeatures.current().hasVnni();
            OnnxMl.ModelProto int8 =
                    Int8Quantizer.quantize(
                            prepared, ranges, reduceRange, quantization.method().describe());
            ScoringModel quantized =
                    new ScoringModel(
                            spec,
                            openGraph(int8, spec, target, threads),
                            source.digest(),
                            source.random());
            try {
                quantized.precision = Precision.INT8;
                quantized.convertedGraph = int8;
                quantized.knownAnswers.addAll(fp32.knownAnswers);
                KnownAnswerCheck.Result agreement =
                        agreement(fp32, quantized, images, count, quantization);
                quantized.knownAnswers.add(agreement);
                if (!agreement.passed()) {
                    throw new KnownAnswerException(
                            String.format(
                                    "Int8 quantization of %s (weights %s) lost too much: %s."
                                            + " Calibrate on more images like those you score"
                                            + " (--calibration DIR), or serve it in fp32.",
                                    spec.name(), source.digest(), agreement.describe()));
                }
                quantized.checkNanos = fp32.checkNanos;
                LOG.info(
                        "Loaded {} in int8 ({} tensors calibrated ({}) on {} images from {} in {}"
                                + " ms; weights {}-bit) on {} {} in {} ms; {}",
                        spec.name(),
                        tensors.size(),
                        quantization.method().describe(),
                        count,
                        quantization.source(),
                        (System.nanoTime() - calibrating) / 1_000_000,
                        reduceRange ? 7 : 8,
                        OnnxRuntimeBackend.ENGINE,
                        target,
                        (System.nanoTime() - started) / 1_000_000,
                        agreement.describe());
                return quantized;
            } catch (IOException | RuntimeException e) {
                quantized.close();
                throw e;
            }
        }
    }

    /**
     * What a load below float32 starts from: the float32 model on ONNX Runtime, loaded and verified
     * as {@link #load} does (self-test, known answers), with the graph it serves, its weights'
     * source and the device. Closing it closes the float32 model.
     */
    private record VerifiedFloat(
            ScoringModel model, OnnxMl.ModelProto graph, Source source, Device device)
            implements AutoCloseable {

        static VerifiedFloat load(
                ModelSpec spec,
                WeightsSource weights,
                Device device,
                String engine,
                int threads,
                Precision precision)
                throws IOException {
            if (!OnnxRuntimeBackend.ENGINE.equals(engine) && !AUTO.equals(engine)) {
                throw new IOException(
                        "--precision "
                                + precision.id()
                                + " runs on ONNX Runtime (--engine onnxruntime or auto), not on "
                                + engine);
            }
            Device target = device != null ? device : defaultDevice(OnnxRuntimeBackend.ENGINE);
            requireDevice(OnnxRuntimeBackend.ENGINE, target);
            EngineGuard.verify(OnnxRuntimeBackend.ENGINE, target);
            Source source = Source.of(spec, weights);
            AtomicReference<OnnxMl.ModelProto> served = new AtomicReference<>();
            OnnxRuntimeOpener opener = new OnnxRuntimeOpener(spec, target, threads, served);
            ScoringModel fp32 = verifiedLoad(spec, source, opener);
            return new VerifiedFloat(fp32, served.get(), source, target);
        }

        @Override
        public void close() {
            model.close();
        }
    }

    /** The calibration images of a load below float32, read only when one is asked for. */
    @FunctionalInterface
    public interface Calibration {
        Quantization read() throws IOException;
    }

    /**
     * Loads in {@code precision}: {@link #load(ModelSpec, WeightsSource, Device, String, int)} for
     * fp32, {@link #loadInt8} or {@link #loadFp16} with the images of {@code calibration}.
     */
    public static ScoringModel load(
            ModelSpec spec,
            WeightsSource weights,
            Device device,
            String engine,
            int threads,
            Precision precision,
            Calibration calibration)
            throws IOException {
        return switch (precision) {
            case FP32 -> load(spec, weights, device, engine, threads);
            case INT8 -> loadInt8(spec, weights, device, engine, threads, calibration.read());
            case FP16 -> loadFp16(spec, weights, device, engine, threads, calibration.read());
        };
    }

    /**
     * Loads {@code spec} with {@code weights} on ONNX Runtime in float16 ({@link Fp16Converter}):
     * the float32 graph is loaded and verified as {@link #load} does, converted, and the float16
     * model must (1) give the float32 model's outputs on the canary batch within {@link
     * #FP16_RELATIVE_TOLERANCE} of each row's largest value and (2) agree with float32's top-1 on
     * {@code calibration}'s images at least as often as its {@link Quantization#minAgreement} says
     * ({@link Quantization#FP16_MIN_AGREEMENT} from the commands), else a {@link
     * KnownAnswerException} names what was reached. The float32 canary outputs go into the graph's
     * metadata, so an exported float16 file is checked against them when it is loaded. {@code
     * engine} must be ONNX Runtime or {@link #AUTO}. Float16 is meant for GPU execution providers
     * (CUDA, TensorRT); ONNX Runtime's CPU provider runs the operators it has no float16 kernel for
     * between inserted casts, which is logged as a warning.
     */
    public static ScoringModel loadFp16(
            ModelSpec spec,
            WeightsSource weights,
            Device device,
            String engine,
            int threads,
            Quantization calibration)
            throws IOException {
        long started = System.nanoTime();
        try (VerifiedFloat verified =
                VerifiedFloat.load(spec, weights, device, engine, threads, Precision.FP16)) {
            ScoringModel fp32 = verified.model();
            OnnxMl.ModelProto graph = verified.graph();
            Source source = verified.source();
            Device target = verified.device();
            if (Int8Quantizer.isQuantized(graph) || Fp16Converter.isFloat16(graph)) {
                throw new IOException(
                        "The ONNX file is already in "
                                + fp32.precision.id()
                                + ": serve it with --precision fp32 (the default), which runs the"
                                + " graph as it is");
            }
            KnownAnswerCheck.Outputs reference = fp32.canaryOutputs();
            OnnxMl.ModelProto fp16 =
                    Fp16Converter.convert(
                            graph,
                            Fp16Converter.encodeReference(
                                    reference.logits(), reference.embedding()));
            ScoringModel half =
                    new ScoringModel(
                            spec,
                            openGraph(fp16, spec, target, threads),
                            source.digest(),
                            source.random());
            try {
                half.convertedGraph = fp16;
                half.knownAnswers.addAll(fp32.knownAnswers);
                half.requireFp16(
                        KnownAnswerCheck.compare(
                                half.canaryOutputs(),
                                reference,
                                "fp16 canary outputs against fp32",
                                FP16_RELATIVE_TOLERANCE,
                                FP16_ABSOLUTE_TOLERANCE),
                        source.digest());
                int count = calibration.calibration().size();
                float[] images = fp32.normalizedCrops(calibration.calibration());
                half.requireFp16(
                        agreement(fp32, half, images, count, calibration), source.digest());
                half.checkNanos = fp32.checkNanos;
                LOG.info(
                        "Loaded {} in fp16 on {} {} in {} ms; {}",
                        spec.name(),
                        OnnxRuntimeBackend.ENGINE,
                        target,
                        (System.nanoTime() - started) / 1_000_000,
                        half.knownAnswers.stream()
                                .skip(fp32.knownAnswers.size())
                                .map(KnownAnswerCheck.Result::describe)
                                .toList());
                half.warnIfFp16OnCpu();
                return half;
            } catch (IOException | RuntimeException e) {
                half.close();
                throw e;
            }
        }
    }

    /**
     * How far a float16 model's outputs may lie from float32's, relative to the largest value of
     * each output row (logits of one image, its embedding): float16 keeps 11 significant bits
     * (relative rounding 4.9e-4 an operation), errors that add up through the family's dozens to
     * hundreds of convolutions; the shipped model's worst canary error is 7.3e-4 against the 1.5e-2
     * this allows it (about a twentieth; docs/benchmarks.md). One bit flipped in a weight's
     * exponent moves outputs by far more (Fp16Test).
     */
    public static final double FP16_RELATIVE_TOLERANCE = 2e-2;

    /** Allowed absolute error of a float16 output on top of the relative one. */
    public static final double FP16_ABSOLUTE_TOLERANCE = 1e-3;

    /** Keeps {@code check} among the known answers, or throws naming it. */
    private void requireFp16(KnownAnswerCheck.Result check, String digest)
            throws KnownAnswerException {
        knownAnswers.add(check);
        if (!check.passed()) {
            throw new KnownAnswerException(
                    String.format(
                            "Float16 conversion of %s (weights %s) lost too much: %s. Serve it in"
                                    + " fp32.",
                            spec.name(), digest, check.describe()));
        }
    }

    /**
     * An exported float16 file against the float32 canary outputs recorded in it at export ({@link
     * Fp16Converter#REFERENCE_KEY}): a weight altered or corrupted since, or a provider that
     * computes float16 wrong, is refused.
     */
    private void verifyFp16Reference() throws IOException {
        String encoded = ((OnnxRuntimeBackend) backend).metadata().get(Fp16Converter.REFERENCE_KEY);
        try {
            if (encoded == null) {
                throw new KnownAnswerException(
                        "The float16 ONNX file of "
                                + spec.name()
                                + " holds no float32 reference ("
                                + Fp16Converter.REFERENCE_KEY
                                + "), so what it computes cannot be checked: export it again with"
                                + " export --precision fp16");
            }
            float[][][] reference;
            try {
                reference = Fp16Converter.decodeReference(encoded, Canary.batchSize());
            } catch (IllegalArgumentException e) {
                throw new KnownAnswerException(
                        "The float16 ONNX file of "
                                + spec.name()
                                + " holds an unreadable float32 reference: "
                                + e.getMessage());
            }
            long started = System.nanoTime();
            KnownAnswerCheck.Result check =
                    KnownAnswerCheck.compare(
                            canaryOutputs(),
                            new KnownAnswerCheck.Outputs(reference[0], reference[1]),
                            "fp16 file against the fp32 outputs recorded at export",
                            FP16_RELATIVE_TOLERANCE,
                            FP16_ABSOLUTE_TOLERANCE);
            checkNanos += System.nanoTime() - started;
            knownAnswers.add(check);
            if (!check.passed()) {
                throw new KnownAnswerException(
                        String.format(
                                "The float16 ONNX file %s of %s does not compute what it did at"
                                        + " export: %s. The file is corrupted or was altered, or"
                                        + " this execution provider computes float16 wrong.",
                                weightsDigest, spec.name(), check.describe()));
            }
            warnIfFp16OnCpu();
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    private void warnIfFp16OnCpu() {
        if (!device().isGpu()) {
            LOG.warn(
                    "{} runs in fp16 on CPU: fp16 is meant for GPU execution providers (CUDA,"
                            + " TensorRT); ONNX Runtime's CPU provider runs the operators it has"
                            + " no float16 kernel for between inserted casts, so its speed here"
                            + " says nothing of a GPU's (measure fp32 against fp16 on this CPU"
                            + " before serving fp16 on it)",
                    spec.name());
        }
    }

    /** Refuses a GPU the engine does not see, naming what it needs, before anything loads on it. */
    static void requireDevice(String engine, Device device) throws IOException {
        if (!device.isGpu()) {
            return;
        }
        int gpus = Engine.getEngine(engine).getGpuCount();
        if (device.getDeviceId() < gpus) {
            return;
        }
        String needs =
                OnnxRuntimeBackend.ENGINE.equals(engine)
                        ? "ONNX Runtime runs on GPUs in the onnxruntime_gpu build of this project"
                                + " (mvn -Pgpu package) with CUDA 12 and cuDNN 9 on the host"
                        : "the engine needs its CUDA build and the matching CUDA libraries";
        throw new IOException(
                String.format(
                        "%s sees %d GPU(s) here, so it cannot run on %s: %s (docs/deploy.md)",
                        engine, gpus, device, needs));
    }

    /** Images a calibration forward pass takes at once. */
    static final int CALIBRATION_BATCH = 8;

    /**
     * The int8 model's top-1 against float32's on the calibration images, as a check result: error
     * = the share of images whose top-1 differs, allowed = 1 - the minimum agreement.
     */
    private static KnownAnswerCheck.Result agreement(
            ScoringModel fp32,
            ScoringModel int8,
            float[] images,
            int count,
            Quantization quantization) {
        int perImage = 3 * fp32.spec.inputSize() * fp32.spec.inputSize();
        int classes = fp32.numClasses();
        int differ = 0;
        double cosine = 0;
        int worst = -1;
        for (int start = 0; start < count; start += CALIBRATION_BATCH) {
            int n = Math.min(CALIBRATION_BATCH, count - start);
            float[] batch =
                    java.util.Arrays.copyOfRange(images, start * perImage, (start + n) * perImage);
            InferenceBackend.Batch a = fp32.backend.forward(batch, n);
            InferenceBackend.Batch b = int8.backend.forward(batch, n);
            int width = fp32.embeddingSize();
            for (int i = 0; i < n; i++) {
                if (argmax(a.logits(), i * classes, classes)
                        != argmax(b.logits(), i * classes, classes)) {
                    differ++;
                    if (worst < 0) {
                        worst = start + i;
                    }
                }
                cosine += cosine(a.embedding(), b.embedding(), i * width, width);
            }
        }
        double agreement = 1.0 - (double) differ / count;
        return new KnownAnswerCheck.Result(
                int8.precision.id() + " top-1 agreement with fp32",
                String.format(
                        "%d calibration images from %s (%.2f%% agree; mean embedding cosine %.4f%s)",
                        count,
                        quantization.source(),
                        100 * agreement,
                        cosine / count,
                        worst < 0 ? "" : "; first disagreement at image " + worst),
                (float) agreement,
                (float) quantization.minAgreement(),
                1.0 - agreement,
                1.0 - quantization.minAgreement() + 1e-12);
    }

    private static int argmax(float[] values, int offset, int n) {
        int best = 0;
        for (int i = 1; i < n; i++) {
            if (values[offset + i] > values[offset + best]) {
                best = i;
            }
        }
        return best;
    }

    private static double cosine(float[] a, float[] b, int offset, int n) {
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int i = offset; i < offset + n; i++) {
            dot += (double) a[i] * b[i];
            na += (double) a[i] * a[i];
            nb += (double) b[i] * b[i];
        }
        return na == 0 || nb == 0 ? (na == nb ? 1 : 0) : dot / Math.sqrt(na * nb);
    }

    /** Center crops of {@code images}, normalized, back to back: the model's input floats. */
    float[] normalizedCrops(List<RgbImage> images) {
        int perImage = 3 * spec.inputSize() * spec.inputSize();
        float[] input = new float[images.size() * perImage];
        for (int i = 0; i < images.size(); i++) {
            preprocessor.normalize(
                    preprocessor.crop(images.get(i), CropMode.CENTER), input, i * perImage);
        }
        return input;
    }

    /** An ONNX Runtime session on {@code graph}, through a temporary file deleted at once. */
    private static OnnxRuntimeBackend openGraph(
            OnnxMl.ModelProto graph, ModelSpec spec, Device device, int threads)
            throws IOException {
        Path file = Files.createTempFile(spec.name() + "-", ".onnx");
        try {
            try (java.io.OutputStream out = Files.newOutputStream(file)) {
                graph.writeTo(out);
            }
            return OnnxRuntimeBackend.open(file, device, threads);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /**
     * Where the weights come from: the classifier rows and digest known before loading (rows -1:
     * read from the ONNX graph), and how to put them into the blocks, or the ONNX file that holds
     * them.
     */
    private record Source(int classes, String digest, boolean random, Filler filler, Path onnx) {

        interface Filler {
            void fill(DjlBlockBackend blocks) throws IOException;
        }

        static Source of(ModelSpec spec, WeightsSource weights) throws IOException {
            if (weights instanceof WeightsSource.Seeded seeded) {
                return seeded(spec.numClasses(), seeded.seed());
            }
            if (weights instanceof WeightsSource.Bundled bundled) {
                return safetensors(spec, extract(bundled.resource()));
            }
            Path file = ((WeightsSource.File) weights).path();
            if (!Files.isRegularFile(file)) {
                throw new IOException("Weights file " + file + " does not exist or is not a file");
            }
            if (isOnnx(file)) {
                return new Source(-1, sha256(file), false, null, file);
            }
            return DjlParams.isDjlParams(file) ? djlParams(spec, file) : safetensors(spec, file);
        }

        static Source seeded(int classes, long seed) {
            return new Source(
                    classes,
                    "seeded:" + seed,
                    true,
                    b -> SeededWeights.fill(StateDict.of(b.network()), seed),
                    null);
        }

        private static Source safetensors(ModelSpec spec, Path file) throws IOException {
            int rows = WeightImporter.classifierRows(file, spec.classifierWeight());
            return new Source(
                    rows > 0 ? rows : spec.numClasses(),
                    sha256(file),
                    false,
                    b -> WeightImporter.importSafetensors(b.network(), file),
                    null);
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
                    b -> DjlParams.load(file, b.network(), b.model().getNDManager()),
                    null);
        }
    }

    /** Whether {@code file} is an ONNX graph ({@code .onnx}), as the export command writes. */
    static boolean isOnnx(Path file) {
        return file.getFileName().toString().toLowerCase(java.util.Locale.ROOT).endsWith(".onnx");
    }

    /**
     * Opens a backend of one kind with a source's weights in it, BatchNorm folded, one weight
     * corrupted when {@code corrupt} and {@link #FAULT_INJECTION} asks for it. The one place that
     * tells the kinds apart; everything after works on {@link InferenceBackend}.
     */
    private interface Opener {
        InferenceBackend open(Source source, int classes, boolean corrupt) throws IOException;
    }

    /** The blocks on a DJL engine that runs them (MXNet, PyTorch). */
    private record DjlOpener(ModelSpec spec, Device device, String engine, String serves)
            implements Opener {

        DjlOpener(ModelSpec spec, Device device, String engine) {
            this(spec, device, engine, engine);
        }

        @Override
        public DjlBlockBackend open(Source source, int classes, boolean corrupt)
                throws IOException {
            if (source.onnx() != null) {
                throw new IOException(
                        source.onnx()
                                + " is an ONNX graph: it runs with --engine onnxruntime; the DJL"
                                + " engines read .safetensors or DJL .params weights");
            }
            DjlBlockBackend blocks = DjlBlockBackend.create(spec, classes, device, engine);
            try {
                source.filler().fill(blocks);
                if (corrupt) {
                    injectFault(blocks.network(), serves);
                }
                ConvNormAct.foldAll(blocks.network(), true);
                return blocks;
            } catch (IOException | RuntimeException e) {
                blocks.close();
                throw e;
            }
        }
    }

    /**
     * ONNX Runtime: an {@code .onnx} file as it is, or the blocks filled on {@link
     * #ONNX_BUILDER_ENGINE} (CPU), exported to a temporary file, closed (their memory is not kept),
     * and the file opened as a session.
     */
    private record OnnxRuntimeOpener(
            ModelSpec spec, Device device, int threads, AtomicReference<OnnxMl.ModelProto> served)
            implements Opener {

        /**
         * Opens the source; with {@code served} set, the first graph opened (the served weights,
         * which {@link #verifiedLoad} opens before any twin) is also kept there.
         */
        @Override
        public OnnxRuntimeBackend open(Source source, int classes, boolean corrupt)
                throws IOException {
            boolean keep = served != null && served.get() == null;
            if (source.onnx() != null) {
                if (corrupt && System.getProperty(FAULT_INJECTION) != null) {
                    LOG.warn("Fault injection: an ONNX file's weights are not corrupted");
                }
                OnnxRuntimeBackend ort =
                        checked(OnnxRuntimeBackend.open(source.onnx(), device, threads));
                if (keep) {
                    try (InputStream in = Files.newInputStream(source.onnx())) {
                        served.set(OnnxMl.ModelProto.parseFrom(in));
                    } catch (IOException | RuntimeException e) {
                        ort.close();
                        throw e;
                    }
                }
                return ort;
            }
            OnnxMl.ModelProto graph;
            try (DjlBlockBackend blocks =
                    new DjlOpener(
                                    spec,
                                    Device.cpu(),
                                    ONNX_BUILDER_ENGINE,
                                    OnnxRuntimeBackend.ENGINE)
                            .open(source, classes, corrupt)) {
                graph = OnnxExport.model(blocks.network(), spec, source.digest());
            }
            if (keep) {
                served.set(graph);
            }
            return openGraph(graph, spec, device, threads);
        }

        /** An ONNX file must hold this very model, at this input size. */
        private OnnxRuntimeBackend checked(OnnxRuntimeBackend ort) throws IOException {
            Map<String, String> metadata = ort.metadata();
            String problem = null;
            if (!spec.name().equals(metadata.get("model"))) {
                problem = "holds the model " + metadata.get("model") + ", not " + spec.name();
            } else if (!Integer.toString(spec.inputSize()).equals(metadata.get("input_size"))) {
                problem =
                        "takes "
                                + metadata.get("input_size")
                                + "-pixel inputs, but "
                                + spec.name()
                                + " takes "
                                + spec.inputSize();
            }
            if (problem != null) {
                ort.close();
                throw new IOException("The ONNX file " + problem);
            }
            return ort;
        }
    }

    /**
     * Opens the served backend, verifying on the way what it computes (the time the checks took
     * stays on the model for the load's log line). Where the project holds the known answers for
     * these very weights (seeded weights of the family, the shipped model), those are compared.
     * Otherwise a twin with seeded weights runs on the same kind of backend, engine and device
     * against the seeded answers (the engine computes this architecture right) and is closed, and
     * the served model's canary batch must equal its images scored one by one. A failed check
     * applies the engine's remedy if there is one and checks again; failing still, it throws.
     */
    private static ScoringModel verifiedLoad(ModelSpec spec, Source source, Opener opener)
            throws IOException {
        Optional<Canary> canary = Canary.of(spec.name());
        Optional<Canary.Entry> exact = canary.flatMap(c -> c.entry(source.digest()));
        ScoringModel loaded =
                new ScoringModel(
                        spec,
                        opener.open(source, source.classes(), exact.isPresent()),
                        source.digest(),
                        source.random());
        try {
            long started = System.nanoTime();
            if (exact.isPresent()) {
                loaded.knownAnswers.add(
                        loaded.verified(
                                () ->
                                        KnownAnswerCheck.compare(
                                                loaded.canaryOutputs(), exact.get(), true)));
            } else {
                Optional<Canary.Entry> seeded =
                        canary.flatMap(c -> c.entry("seeded:" + Canary.SEED));
                if (seeded.isPresent()) {
                    // A second network of the same shape on the same engine and device: the
                    // served one's arrays may be in an engine-private layout after a forward pass
                    // (MXNet's oneDNN), and must never hold anything but the user's weights.
                    int classes = loaded.numClasses();
                    try (ScoringModel check =
                            new ScoringModel(
                                    spec,
                                    opener.open(Source.seeded(classes, Canary.SEED), classes, true),
                                    "seeded:" + Canary.SEED,
                                    true)) {
                        boolean sameHead = classes == seeded.get().numClasses();
                        loaded.knownAnswers.add(
                                loaded.verified(
                                        () ->
                                                KnownAnswerCheck.compare(
                                                        check.canaryOutputs(),
                                                        seeded.get(),
                                                        sameHead)));
                    }
                } else {
                    LOG.warn(
                            "{} has no known answers: only its batch consistency is checked",
                            spec.name());
                }
                loaded.knownAnswers.add(
                        loaded.verified(
                                () ->
                                        KnownAnswerCheck.batchConsistency(
                                                loaded::outputs, spec.inputSize())));
            }
            loaded.checkNanos = System.nanoTime() - started;
            return loaded;
        } catch (IOException | RuntimeException e) {
            loaded.close();
            throw e;
        }
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
     * -Dinception.faultInjection=corrupt-weight}, or {@code corrupt-weight:ENGINE} for one engine
     * only (DJL's name, e.g. {@code OnnxRuntime}). On ONNX Runtime the weight is corrupted in the
     * blocks before they are exported.
     */
    public static final String FAULT_INJECTION = EngineGuard.FAULT_INJECTION;

    private static void injectFault(ClassifierNetwork network, String engine) {
        String fault = System.getProperty(FAULT_INJECTION, "");
        if (fault.equals("corrupt-weight") || fault.equals("corrupt-weight:" + engine)) {
            Map.Entry<String, ai.djl.nn.Parameter> first =
                    StateDict.of(network).entrySet().iterator().next();
            NDArray array = first.getValue().getArray();
            float[] values = array.toFloatArray();
            values[0] += 1.0f;
            array.set(values);
            LOG.warn("Fault injection: weight {}[0] corrupted", first.getKey());
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
        InferenceBackend.Batch out = backend.forward(input, n);
        float[] probabilities = softmax(out.logits(), n, classes);
        float[] embeddings = withEmbedding ? out.embedding() : null;
        int width = embeddingSize();
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

    /** Row-wise softmax of {@code n × classes} logits, in place (max subtracted, as engines do). */
    static float[] softmax(float[] logits, int n, int classes) {
        for (int i = 0; i < n; i++) {
            int offset = i * classes;
            float max = Float.NEGATIVE_INFINITY;
            for (int c = 0; c < classes; c++) {
                max = Math.max(max, logits[offset + c]);
            }
            double sum = 0;
            for (int c = 0; c < classes; c++) {
                float e = (float) Math.exp(logits[offset + c] - max);
                logits[offset + c] = e;
                sum += e;
            }
            for (int c = 0; c < classes; c++) {
                logits[offset + c] = (float) (logits[offset + c] / sum);
            }
        }
        return logits;
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
        Model model = blocks("Saving DJL .params").model();
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
        if (convertedGraph != null) {
            return OnnxExport.write(convertedGraph, spec, file);
        }
        return OnnxExport.write(blocks("ONNX export").network(), spec, weightsDigest, file);
    }

    /** The arithmetic this model runs in. */
    public Precision precision() {
        return precision;
    }

    /**
     * How this int8 model's activation ranges were calibrated, as its graph's metadata records it
     * ({@link CalibrationMethod#describe}: {@code minmax}, {@code percentile 99.99}); empty for
     * other precisions and for int8 files quantized before the method was recorded.
     */
    public Optional<String> calibration() {
        return Optional.ofNullable(calibration);
    }

    /**
     * Whether inference runs with BatchNorm folded into the preceding convolutions (the default
     * after loading; numerically equal within float rounding, and faster). An ONNX Runtime model's
     * graph is always folded.
     */
    public void foldBatchNorm(boolean fold) {
        if (backend instanceof DjlBlockBackend blocks) {
            ConvNormAct.foldAll(blocks.network(), fold);
        } else if (!fold) {
            throw new UnsupportedOperationException(
                    "BatchNorm is folded into the ONNX graph on "
                            + engine()
                            + "; separate BatchNorm needs a DJL engine (--engine mxnet or pytorch)");
        }
    }

    /** Multiply-accumulates of one image's forward pass (convolutions and classifier). */
    public long macsPerImage() {
        if (macs < 0) {
            Shape input = new Shape(spec.inputShape(1));
            if (backend instanceof DjlBlockBackend blocks) {
                macs = blocks.network().macs(input);
            } else {
                // Counted on the blocks the graph was exported from (zeros, then closed).
                try (DjlBlockBackend blocks =
                        DjlBlockBackend.create(
                                spec, numClasses(), Device.cpu(), ONNX_BUILDER_ENGINE)) {
                    macs = blocks.network().macs(input);
                }
            }
        }
        return macs;
    }

    /** The DJL blocks of a model on a DJL engine; {@code what} cannot be done without them. */
    private DjlBlockBackend blocks(String what) {
        if (backend instanceof DjlBlockBackend blocks) {
            return blocks;
        }
        throw new UnsupportedOperationException(
                what
                        + " needs the DJL blocks, and this model runs an ONNX graph on "
                        + engine()
                        + ": load it with --engine mxnet or pytorch");
    }

    public ModelSpec spec() {
        return spec;
    }

    public Preprocessor preprocessor() {
        return preprocessor;
    }

    /** Rows of the classifier head (1000, or 1001 for the TF-slim layout). */
    public int numClasses() {
        return backend.numClasses();
    }

    public int embeddingSize() {
        return backend.embeddingSize();
    }

    /** {@code sha256:<hex>} of the weights file, or {@code seeded:<seed>} for random weights. */
    public String weightsDigest() {
        return weightsDigest;
    }

    /** This model's outputs on the known-answer batch ({@link Canary#inputs}). */
    public KnownAnswerCheck.Outputs canaryOutputs() {
        return KnownAnswerCheck.forward(this::outputs, spec.inputSize());
    }

    /** The backend's outputs on {@code count} normalized images, one row per image. */
    KnownAnswerCheck.Outputs outputs(float[] images, int count) {
        InferenceBackend.Batch out = backend.forward(images, count);
        float[][] logits = new float[count][];
        float[][] embedding = new float[count][];
        int classes = numClasses();
        int width = embeddingSize();
        for (int i = 0; i < count; i++) {
            logits[i] = java.util.Arrays.copyOfRange(out.logits(), i * classes, (i + 1) * classes);
            embedding[i] =
                    java.util.Arrays.copyOfRange(out.embedding(), i * width, (i + 1) * width);
        }
        return new KnownAnswerCheck.Outputs(logits, embedding);
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
        return backend.engine();
    }

    /** The device the model runs on. */
    public Device device() {
        return backend.device();
    }

    /**
     * {@link #device} as {@code --device} names it and predictions record it: {@code cpu}, or
     * {@code gpu:N} for GPU N (DJL's device type, and its index where it has one).
     */
    public String deviceName() {
        Device device = device();
        return device.getDeviceId() >= 0
                ? device.getDeviceType() + ":" + device.getDeviceId()
                : device.getDeviceType();
    }

    @Override
    public void close() {
        backend.close();
    }
}
