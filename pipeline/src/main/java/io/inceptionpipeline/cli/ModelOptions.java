package io.inceptionpipeline.cli;

import ai.djl.Device;
import io.inceptionpipeline.models.inference.EnsembleSpec;
import io.inceptionpipeline.models.inference.NativeThreads;
import io.inceptionpipeline.models.inference.Precision;
import io.inceptionpipeline.models.inference.ScoringModel;
import io.inceptionpipeline.models.inference.WeightsSource;
import io.inceptionpipeline.models.spec.ModelRegistry;
import io.inceptionpipeline.models.spec.ModelSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Options every command that loads a model shares. */
final class ModelOptions {

    /** Seed of the random weights used without --weights. */
    static final long RANDOM_WEIGHTS_SEED = 42;

    @Option(
            names = "--model",
            defaultValue = "inception_resnet_v2",
            description =
                    "Model name (timm/torchvision naming). Known: ${COMPLETION-CANDIDATES}. Default: ${DEFAULT-VALUE}.",
            completionCandidates = ModelNames.class)
    String model;

    @Option(
            names = "--weights",
            paramLabel = "FILE",
            description = {
                "Weights: the reference state dict as .safetensors (timm/torchvision tensor names), a DJL",
                ".params file written by the convert command, or (with --engine onnxruntime) an .onnx file",
                "written by the export command. Without it a model that ships trained weights",
                "(inception_resnet_fmnist) uses them; any other uses seeded random weights, useful only for",
                "benchmarks: every record then says \"weights\": \"random\"."
            })
    Path weights;

    @Option(
            names = "--threads",
            paramLabel = "N",
            defaultValue = "0",
            description = {
                "Threads of the native engine: MXNet's and PyTorch's OpenMP pool (sets OMP_NUM_THREADS before",
                "the engine loads; an exported OMP_NUM_THREADS wins), ONNX Runtime's intra-op pool (one",
                "inter-op thread). 0, the default, means one per available processor."
            })
    int threads;

    @Option(
            names = "--engine",
            defaultValue = ScoringModel.DEFAULT_ENGINE_OPTION,
            description = {
                "Deep learning engine: mxnet (Apache MXNet 1.9.1, MKL build), pytorch (LibTorch 2.7.1, CPU",
                "build bundled) or onnxruntime (ONNX Runtime 1.23.2: the network exported to ONNX from the",
                "same blocks at load, or an .onnx file given as --weights). Same networks, same weights.",
                "auto: the fastest engine that passes its self-test and known answers on this machine",
                "(tried in the order onnxruntime, pytorch, mxnet; the choice is logged; commands that need",
                "the DJL blocks, convert and --unfolded, use mxnet). Default: ${DEFAULT-VALUE}."
            })
    String engine;

    @Mixin PrecisionOption precisionOption;

    @Option(
            names = "--device",
            defaultValue = "auto",
            description =
                    "auto (first GPU if the engine sees one, else CPU), cpu, or gpu[:N]. Default: ${DEFAULT-VALUE}.")
    String device;

    ModelSpec spec() {
        return ModelRegistry.get(model);
    }

    boolean hasWeightsFile() {
        return weights != null;
    }

    ScoringModel load() throws IOException {
        return load(false);
    }

    /**
     * Loads the model; with {@code needsBlocks} (the command works on the DJL blocks), {@code
     * --engine auto} means {@link ScoringModel#BLOCKS_ENGINE}.
     */
    ScoringModel load(boolean needsBlocks) throws IOException {
        NativeThreads.configure(threads);
        WeightsSource source = WeightsSource.orDefault(spec(), weights, RANDOM_WEIGHTS_SEED);
        return load(spec(), source, needsBlocks);
    }

    /** Whether a precision below fp32 (int8, fp16: ONNX Runtime only) was asked for. */
    boolean belowFp32() {
        return precisionOption.precision() != Precision.FP32;
    }

    /** Loads one model in the chosen precision. */
    private ScoringModel load(ModelSpec modelSpec, WeightsSource source, boolean needsBlocks)
            throws IOException {
        String engineName = ScoringModel.engineName(engine);
        if (needsBlocks && ScoringModel.AUTO.equals(engineName) && !belowFp32()) {
            engineName = ScoringModel.BLOCKS_ENGINE;
        }
        return ScoringModel.load(
                modelSpec,
                source,
                parseDevice(),
                engineName,
                threads,
                precisionOption.precision(),
                () -> precisionOption.quantization(modelSpec));
    }

    /**
     * The members of {@code --model a,b,c} with {@code --weights fa,fb,fc} (one entry per model,
     * empty for a model's default) and their weights in the average.
     */
    EnsembleSpec ensemble(String ensembleWeights) {
        return EnsembleSpec.parse(
                model, weights == null ? null : weights.toString(), ensembleWeights);
    }

    /**
     * Loads every member of {@code ensemble}, or prints why one cannot be loaded, closes the others
     * and returns null: the caller then exits with {@link Main#EXIT_MODEL_ERROR}.
     */
    List<ScoringModel> loadOrReport(EnsembleSpec ensemble) {
        NativeThreads.configure(threads);
        List<ScoringModel> loaded = new ArrayList<>();
        for (EnsembleSpec.Member member : ensemble.members()) {
            try {
                ModelSpec memberSpec = ModelRegistry.get(member.model());
                WeightsSource source =
                        WeightsSource.orDefault(
                                memberSpec,
                                member.weights() == null ? null : Path.of(member.weights()),
                                RANDOM_WEIGHTS_SEED);
                loaded.add(load(memberSpec, source, false));
            } catch (IOException | RuntimeException e) {
                System.err.println(
                        "error: cannot load model " + member.model() + ": " + e.getMessage());
                loaded.forEach(ScoringModel::close);
                return null;
            }
        }
        return loaded;
    }

    /**
     * Loads the model, or prints why it cannot be loaded and returns null: the caller then exits
     * with {@link Main#EXIT_MODEL_ERROR}.
     */
    ScoringModel loadOrReport() {
        return loadOrReport(false);
    }

    /** As {@link #loadOrReport()}; {@code needsBlocks} as in {@link #load(boolean)}. */
    ScoringModel loadOrReport(boolean needsBlocks) {
        try {
            return load(needsBlocks);
        } catch (IOException | RuntimeException e) {
            System.err.println("error: cannot load model " + model + ": " + e.getMessage());
            return null;
        }
    }

    private Device parseDevice() {
        String value = device.trim().toLowerCase(java.util.Locale.ROOT);
        if (value.equals("auto")) {
            return null;
        }
        if (value.equals("cpu")) {
            return Device.cpu();
        }
        if (value.equals("gpu")) {
            return Device.gpu();
        }
        if (value.startsWith("gpu:")) {
            return Device.gpu(Integer.parseInt(value.substring(4)));
        }
        throw new IllegalArgumentException(
                "--device must be auto, cpu, gpu or gpu:N, got " + device);
    }

    static final class ModelNames implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return ModelRegistry.names().iterator();
        }
    }
}
