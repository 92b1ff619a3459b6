package io.inceptionpipeline.operators.inference;

import ai.djl.Device;
import ai.djl.engine.Engine;
import io.inceptionpipeline.models.image.RgbImage;
import io.inceptionpipeline.models.inference.CalibrationMethod;
import io.inceptionpipeline.models.inference.NativeThreads;
import io.inceptionpipeline.models.inference.Precision;
import io.inceptionpipeline.models.inference.Scores;
import io.inceptionpipeline.models.inference.ScoringModel;
import io.inceptionpipeline.models.inference.TopK;
import io.inceptionpipeline.models.inference.WeightsSource;
import io.inceptionpipeline.models.spec.ModelRegistry;
import io.inceptionpipeline.models.spec.ModelSpec;
import io.inceptionpipeline.operators.batch.BatchScorer;
import io.inceptionpipeline.operators.records.CroppedImage;
import io.inceptionpipeline.schemas.ClassScore;
import io.inceptionpipeline.schemas.ModelInfo;
import io.inceptionpipeline.schemas.Prediction;
import io.inceptionpipeline.schemas.Timings;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens a {@link ScoringModel} per subtask, on GPU {@code subtask % gpus} when the engine sees
 * GPUs, else on CPU, and turns its scores into Avro predictions.
 *
 * @param model registry name
 * @param weights weights file, or null for seeded random weights (benchmarks)
 * @param randomSeed seed of the random weights
 * @param engine DJL's engine name ({@code MXNet}, {@code PyTorch}, {@code OnnxRuntime}), or {@code
 *     auto}: the fastest that passes its checks on the TaskManager's machine
 * @param topK classes per prediction
 * @param embeddings whether predictions carry the embedding
 * @param ompThreads threads of the engine (0: one per processor): OpenMP threads of MXNet and
 *     PyTorch in this JVM, intra-op threads of each ONNX Runtime session
 * @param version pipeline version recorded in each prediction
 * @param precision {@code fp32}, {@code int8} ({@link ScoringModel#loadInt8}) or {@code fp16}
 *     ({@link ScoringModel#loadFp16}), the last two on ONNX Runtime
 * @param calibration with int8 or fp16, the directory of calibration images on every TaskManager,
 *     or null for the shipped model's Fashion-MNIST training images
 * @param calibrationCount with int8, how many calibration images
 * @param calibrationMethod with int8, {@code minmax} or {@code percentile} ({@link
 *     CalibrationMethod#of})
 * @param calibrationPercentile with {@code percentile}, P
 */
public record ModelScorerFactory(
        String model,
        String weights,
        long randomSeed,
        String engine,
        int topK,
        boolean embeddings,
        int ompThreads,
        String version,
        String precision,
        String calibration,
        int calibrationCount,
        String calibrationMethod,
        double calibrationPercentile)
        implements BatchScorer.Factory {

    private static final Logger LOG = LoggerFactory.getLogger(ModelScorerFactory.class);

    public ModelScorerFactory {
        ModelRegistry.get(model); // fails early, on the client, for an unknown name
        if (topK < 1) {
            throw new IllegalArgumentException("topK must be >= 1");
        }
        Precision.parse(precision);
        if (calibrationCount < 1) {
            throw new IllegalArgumentException("calibrationCount must be >= 1");
        }
        CalibrationMethod.of(calibrationMethod, calibrationPercentile);
    }

    /** Calibrated by min/max if int8. */
    public ModelScorerFactory(
            String model,
            String weights,
            long randomSeed,
            String engine,
            int topK,
            boolean embeddings,
            int ompThreads,
            String version,
            String precision,
            String calibration,
            int calibrationCount) {
        this(
                model,
                weights,
                randomSeed,
                engine,
                topK,
                embeddings,
                ompThreads,
                version,
                precision,
                calibration,
                calibrationCount,
                CalibrationMethod.DEFAULT_ID,
                CalibrationMethod.DEFAULT_PERCENTILE);
    }

    /** In float32. */
    public ModelScorerFactory(
            String model,
            String weights,
            long randomSeed,
            String engine,
            int topK,
            boolean embeddings,
            int ompThreads,
            String version) {
        this(
                model,
                weights,
                randomSeed,
                engine,
                topK,
                embeddings,
                ompThreads,
                version,
                Precision.FP32.id(),
                null,
                512);
    }

    @Override
    public BatchScorer open(int subtask) throws Exception {
        NativeThreads.configure(ompThreads);
        // auto: each engine it tries picks its own default device
        Device device = null;
        if (!ScoringModel.AUTO.equals(engine)) {
            int gpus = Engine.getEngine(engine).getGpuCount();
            device = gpus > 0 ? Device.gpu(subtask % gpus) : Device.cpu();
        }
        WeightsSource source =
                WeightsSource.orDefault(
                        ModelRegistry.get(model),
                        weights == null ? null : Path.of(weights),
                        randomSeed);
        ModelSpec spec = ModelRegistry.get(model);
        Precision served = Precision.parse(precision);
        ScoringModel loaded =
                ScoringModel.load(
                        spec,
                        source,
                        device,
                        engine,
                        ompThreads,
                        served,
                        () ->
                                CalibrationImages.read(
                                                spec,
                                                calibration == null ? null : Path.of(calibration),
                                                calibrationCount,
                                                served)
                                        .withMethod(
                                                CalibrationMethod.of(
                                                        calibrationMethod, calibrationPercentile)));
        if (loaded.randomWeights()) {
            LOG.warn(
                    "Subtask {} scores with seeded RANDOM weights: predictions are meaningless",
                    subtask);
        }
        return new Scorer(loaded, this);
    }

    /**
     * What each prediction of {@code model} records about how it was computed: name, pipeline
     * version, weights digest, the engine as {@code --engine} names it (what {@code auto} chose)
     * the precision as {@code --precision} names it and the device as {@code --device} names it.
     */
    static ModelInfo modelInfo(ScoringModel model, String version) {
        return new ModelInfo(
                model.spec().name(),
                version,
                model.weightsDigest(),
                model.engine().toLowerCase(java.util.Locale.ROOT),
                model.precision().id(),
                model.deviceName());
    }

    private static final class Scorer implements BatchScorer {
        private final ScoringModel model;
        private final ModelScorerFactory config;
        private final ModelInfo info;

        Scorer(ScoringModel model, ModelScorerFactory config) {
            this.model = model;
            this.config = config;
            this.info = modelInfo(model, config.version());
        }

        @Override
        public List<Prediction> score(List<CroppedImage> batch, long queueEndMs) {
            List<RgbImage> crops = new ArrayList<>(batch.size());
            for (CroppedImage crop : batch) {
                crops.add(crop.image());
            }
            long started = System.nanoTime();
            List<Scores> scores = model.score(crops, config.topK(), config.embeddings());
            float inferenceMs = (System.nanoTime() - started) / 1e6f;
            Instant scoredAt = Instant.now();
            List<Prediction> predictions = new ArrayList<>(batch.size());
            for (int i = 0; i < batch.size(); i++) {
                CroppedImage crop = batch.get(i);
                Scores s = scores.get(i);
                List<ClassScore> top = new ArrayList<>(s.topK().size());
                for (TopK k : s.topK()) {
                    top.add(new ClassScore(k.index(), k.label(), k.score()));
                }
                List<Float> embedding = null;
                if (s.embedding() != null) {
                    embedding = new ArrayList<>(s.embedding().length);
                    for (float v : s.embedding()) {
                        embedding.add(v);
                    }
                }
                predictions.add(
                        Prediction.newBuilder()
                                .setRequestId(crop.request.requestId)
                                .setUri(crop.request.uri)
                                .setModel(info)
                                .setTopK(top)
                                .setEmbedding(embedding)
                                .setCropMode(crop.cropMode)
                                .setTimings(
                                        new Timings(
                                                crop.fetchMs,
                                                crop.decodeMs,
                                                (float) Math.max(0, queueEndMs - crop.readyAtMs),
                                                inferenceMs))
                                .setBatchSize(batch.size())
                                .setAttributes(crop.request.attributes)
                                .setScoredAt(scoredAt)
                                .build());
            }
            return predictions;
        }

        @Override
        public void close() {
            model.close();
        }
    }
}
