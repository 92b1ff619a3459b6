package io.inceptionpipeline.models.train;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.optimizer.Optimizer;
import io.inceptionpipeline.models.ClassifierNetwork;
import io.inceptionpipeline.models.image.CropMode;
import io.inceptionpipeline.models.image.Preprocessor;
import io.inceptionpipeline.models.image.RgbImage;
import io.inceptionpipeline.models.inference.NativeThreads;
import io.inceptionpipeline.models.inference.ScoringModel;
import io.inceptionpipeline.models.inference.WeightsSource;
import io.inceptionpipeline.models.spec.ModelSpec;
import io.inceptionpipeline.models.weights.SafetensorsWriter;
import io.inceptionpipeline.models.weights.StateDict;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * Trains a model of the family on Fashion-MNIST with DJL's training API on the MXNet engine (CPU):
 * SGD with momentum and weight decay, linear warm-up then cosine decay, label smoothing, random
 * crops with padding and horizontal flips, a fixed seed. Writes a checkpoint per epoch, the final
 * weights as {@code <model>.safetensors} under the reference naming, and evaluates them through the
 * same {@link ScoringModel} path that serves predictions.
 */
public final class FashionMnistTrainer {

    /** What a training run measured. */
    public record Result(
            Path weights,
            int epochs,
            long steps,
            double seconds,
            List<String> epochLog,
            List<Float> stepLosses,
            Evaluation test) {}

    private final ModelSpec spec;
    private final TrainConfig config;
    private final PrintStream progress;

    public FashionMnistTrainer(ModelSpec spec, TrainConfig config, PrintStream progress) {
        if (spec.numClasses() != FashionMnist.CLASSES.size()
                || spec.inputSize() != FashionMnist.SIDE) {
            throw new IllegalArgumentException(spec.name() + " is not a 28×28, 10-class model");
        }
        this.spec = spec;
        this.config = config;
        this.progress = progress;
    }

    public Result run() throws IOException {
        NativeThreads.configure(config.threads());
        Engine.getEngine(ScoringModel.DEFAULT_ENGINE).setRandomSeed((int) config.seed());
        FashionMnist.Split train = FashionMnist.load(config.dataDir(), true);
        if (config.trainLimit() > 0) {
            train = train.head(config.trainLimit());
        }
        FashionMnist.Split test = FashionMnist.load(config.dataDir(), false);
        Files.createDirectories(config.outputDir());

        int stepsPerEpoch = (train.size() + config.batchSize() - 1) / config.batchSize();
        int totalSteps =
                config.maxSteps() > 0
                        ? Math.min(config.maxSteps(), stepsPerEpoch * config.epochs())
                        : stepsPerEpoch * config.epochs();
        int warmup = Math.min(totalSteps - 1, Math.round(config.warmupEpochs() * stepsPerEpoch));
        Preprocessor preprocessor = spec.preprocessor();
        Random random = new Random(config.seed());
        List<String> log = new ArrayList<>();
        long started = System.nanoTime();
        long step = 0;
        List<Float> stepLosses = new ArrayList<>();
        Path weights = config.outputDir().resolve(spec.name() + ".safetensors");

        ClassifierNetwork network = spec.network().apply(spec.numClasses());
        try (Model model =
                Model.newInstance(spec.name(), Device.cpu(), ScoringModel.DEFAULT_ENGINE)) {
            model.setBlock(network);
            DefaultTrainingConfig trainingConfig =
                    new DefaultTrainingConfig(new LabelSmoothingLoss(config.labelSmoothing()))
                            .optOptimizer(
                                    Optimizer.sgd()
                                            .setLearningRateTracker(
                                                    new WarmupCosine(
                                                            config.peakLearningRate(),
                                                            0f,
                                                            warmup,
                                                            totalSteps))
                                            .optMomentum(config.momentum())
                                            .optWeightDecays(config.weightDecay())
                                            .build());
            try (Trainer trainer = model.newTrainer(trainingConfig)) {
                trainer.initialize(
                        new Shape(config.batchSize(), 3, FashionMnist.SIDE, FashionMnist.SIDE));
                for (int epoch = 1; epoch <= config.epochs() && step < totalSteps; epoch++) {
                    int[] order = permutation(train.size(), random);
                    double lossSum = 0;
                    long correct = 0;
                    long seen = 0;
                    long epochStart = System.nanoTime();
                    for (int from = 0;
                            from < order.length && step < totalSteps;
                            from += config.batchSize(), step++) {
                        int n = Math.min(config.batchSize(), order.length - from);
                        float[] input = new float[n * 3 * FashionMnist.SIDE * FashionMnist.SIDE];
                        float[] labels = new float[n];
                        for (int i = 0; i < n; i++) {
                            int index = order[from + i];
                            RgbImage image =
                                    FashionMnist.toRgb(augment(train.images()[index], random));
                            preprocessor.normalize(
                                    image, input, i * 3 * FashionMnist.SIDE * FashionMnist.SIDE);
                            labels[i] = train.labels()[index];
                        }
                        try (NDManager batch = trainer.getManager().newSubManager()) {
                            NDArray x =
                                    batch.create(
                                            input,
                                            new Shape(n, 3, FashionMnist.SIDE, FashionMnist.SIDE));
                            NDArray y = batch.create(labels);
                            float loss;
                            float[] logits;
                            try (GradientCollector collector = trainer.newGradientCollector()) {
                                NDList predictions = trainer.forward(new NDList(x));
                                NDArray lossValue =
                                        trainer.getLoss().evaluate(new NDList(y), predictions);
                                collector.backward(lossValue);
                                loss = lossValue.getFloat();
                                logits = predictions.head().toFloatArray();
                            }
                            trainer.step();
                            lossSum += loss * n;
                            correct += countCorrect(logits, labels);
                            seen += n;
                            stepLosses.add(loss);
                        }
                        if (step % 10 == 0 || from + n >= order.length) {
                            bar(
                                    epoch,
                                    (from + n) / config.batchSize(),
                                    stepsPerEpoch,
                                    lossSum / seen,
                                    (double) correct / seen,
                                    seen / ((System.nanoTime() - epochStart) / 1e9));
                        }
                    }
                    String line =
                            String.format(
                                    Locale.ROOT,
                                    "epoch %d/%d: loss %.4f, train accuracy %.2f%%, %.0f s",
                                    epoch,
                                    config.epochs(),
                                    lossSum / seen,
                                    100.0 * correct / seen,
                                    (System.nanoTime() - epochStart) / 1e9);
                    log.add(line);
                    progress.println();
                    progress.println(line);
                    Path checkpoints =
                            Files.createDirectories(config.outputDir().resolve("checkpoints"));
                    save(
                            network,
                            checkpoints.resolve(
                                    String.format(Locale.ROOT, "epoch-%02d.safetensors", epoch)));
                }
                save(network, weights);
            }
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        Evaluation evaluation;
        try (ScoringModel trained =
                ScoringModel.load(spec, new WeightsSource.File(weights), Device.cpu())) {
            FashionMnist.Split split = test;
            evaluation =
                    Evaluation.of(
                            trained,
                            FashionMnist.CLASSES,
                            split.size(),
                            split::rgb,
                            i -> split.labels()[i],
                            250,
                            CropMode.CENTER);
        }
        progress.printf(
                Locale.ROOT,
                "trained %d steps in %.0f s; test top-1 %.2f%%%n",
                step,
                seconds,
                100 * evaluation.top1Accuracy());
        return new Result(weights, config.epochs(), step, seconds, log, stepLosses, evaluation);
    }

    /** Random crop of the zero-padded image and a random horizontal flip. */
    private byte[] augment(byte[] image, Random random) {
        int side = FashionMnist.SIDE;
        int pad = config.padding();
        int dx = pad == 0 ? 0 : random.nextInt(2 * pad + 1) - pad;
        int dy = pad == 0 ? 0 : random.nextInt(2 * pad + 1) - pad;
        boolean flip = config.flip() && random.nextBoolean();
        if (dx == 0 && dy == 0 && !flip) {
            return image;
        }
        byte[] out = new byte[side * side];
        for (int y = 0; y < side; y++) {
            int sy = y + dy;
            if (sy < 0 || sy >= side) {
                continue;
            }
            for (int x = 0; x < side; x++) {
                int sx = (flip ? side - 1 - x : x) + dx;
                if (sx >= 0 && sx < side) {
                    out[y * side + x] = image[sy * side + sx];
                }
            }
        }
        return out;
    }

    private static int[] permutation(int n, Random random) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }

    private static int countCorrect(float[] logits, float[] labels) {
        int classes = logits.length / labels.length;
        int correct = 0;
        for (int i = 0; i < labels.length; i++) {
            int best = 0;
            for (int c = 1; c < classes; c++) {
                if (logits[i * classes + c] > logits[i * classes + best]) {
                    best = c;
                }
            }
            if (best == (int) labels[i]) {
                correct++;
            }
        }
        return correct;
    }

    /** Writes every parameter under its reference name, the format `--weights` loads. */
    static void save(ClassifierNetwork network, Path file) throws IOException {
        SafetensorsWriter writer = new SafetensorsWriter();
        for (Map.Entry<String, Parameter> e : StateDict.of(network).entrySet()) {
            NDArray array = e.getValue().getArray();
            writer.add(e.getKey(), array.getShape().getShape(), array.toFloatArray());
        }
        writer.write(file);
    }

    private void bar(
            int epoch,
            int batches,
            int total,
            double loss,
            double accuracy,
            double imagesPerSecond) {
        int width = 30;
        int filled = (int) ((long) Math.min(batches, total) * width / total);
        double remaining =
                (total - batches) * (double) config.batchSize() / Math.max(imagesPerSecond, 1e-9);
        progress.printf(
                Locale.ROOT,
                "\repoch %d/%d [%s%s] %d/%d loss %.4f acc %.2f%% %.0f img/s ETA %ds   ",
                epoch,
                config.epochs(),
                "#".repeat(filled),
                ".".repeat(width - filled),
                Math.min(batches, total),
                total,
                loss,
                100 * accuracy,
                imagesPerSecond,
                (long) Math.max(0, remaining));
    }
}
