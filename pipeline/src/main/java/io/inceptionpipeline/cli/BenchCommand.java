package io.inceptionpipeline.cli;

import io.inceptionpipeline.models.image.RgbImage;
import io.inceptionpipeline.models.inference.OnnxRuntimeBackend;
import io.inceptionpipeline.models.inference.ScoringModel;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code bench}: raw batched inference throughput, the ceiling the streaming pipeline is measured
 * against. Times {@link ScoringModel#score} on ready 8-bit crops: normalization, the forward pass,
 * softmax and top-k, as the pipeline's inference operator runs them; no decoding.
 */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Measures batched inference throughput (images/s) and achieved GFLOP/s on ready crops.",
            "GFLOP/s counts 2 FLOPs per multiply-accumulate of the convolutions and the classifier."
        })
final class BenchCommand implements Callable<Integer> {

    @Mixin ModelOptions modelOptions;

    @Option(
            names = "--batch-sizes",
            split = ",",
            defaultValue = "1,8,32",
            description = "Batch sizes to measure. Default: ${DEFAULT-VALUE}.")
    List<Integer> batchSizes;

    @Option(
            names = "--warmup",
            defaultValue = "2",
            description = "Untimed batches before each measurement. Default: ${DEFAULT-VALUE}.")
    int warmup;

    @Option(
            names = "--min-images",
            defaultValue = "64",
            description =
                    "Measure at least this many images per batch size. Default: ${DEFAULT-VALUE}.")
    int minImages;

    @Option(
            names = "--min-seconds",
            defaultValue = "20",
            description = "Measure at least this long per batch size. Default: ${DEFAULT-VALUE}.")
    double minSeconds;

    @Option(
            names = "--unfolded",
            description =
                    "Run BatchNorm as its own op instead of folding it into the convolutions (for comparison).")
    boolean unfolded;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (batchSizes.stream().anyMatch(b -> b < 1)
                || warmup < 0
                || minImages < 1
                || minSeconds < 0) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(),
                    "batch sizes and --min-images must be positive, --warmup and --min-seconds not negative");
        }
        ScoringModel loaded = modelOptions.loadOrReport(unfolded);
        if (loaded == null) {
            return Main.EXIT_MODEL_ERROR;
        }
        try (ScoringModel model = loaded) {
            try {
                model.foldBatchNorm(!unfolded);
            } catch (UnsupportedOperationException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
            }
            int size = model.spec().inputSize();
            long macs = model.macsPerImage();
            String threads =
                    model.engine().equals(OnnxRuntimeBackend.ENGINE)
                            ? "intra-op threads="
                                    + OnnxRuntimeBackend.intraOpThreads(modelOptions.threads)
                            : "OMP_NUM_THREADS="
                                    + System.getenv()
                                            .getOrDefault(
                                                    "OMP_NUM_THREADS",
                                                    modelOptions.threads > 0
                                                            ? Integer.toString(modelOptions.threads)
                                                            : "auto");
            System.out.printf(
                    Locale.ROOT,
                    "# %s, %dx%d, %.3f GMACs/image, engine %s (%s) on %s, BatchNorm %s, %s, %d"
                            + " processors%n",
                    model.spec().name(),
                    size,
                    size,
                    macs / 1e9,
                    model.engine(),
                    model.precision().id(),
                    model.device(),
                    unfolded ? "separate" : "folded",
                    threads,
                    Runtime.getRuntime().availableProcessors());
            System.out.println(
                    "| batch | images | seconds | images/s | ms/batch (median) | GFLOP/s |");
            System.out.println("|---:|---:|---:|---:|---:|---:|");
            Random random = new Random(7);
            for (int batch : batchSizes) {
                List<RgbImage> crops = new ArrayList<>(batch);
                for (int i = 0; i < batch; i++) {
                    byte[] pixels = new byte[3 * size * size];
                    random.nextBytes(pixels);
                    crops.add(new RgbImage(size, size, pixels));
                }
                for (int i = 0; i < warmup; i++) {
                    model.score(crops, 5, true);
                }
                List<Long> times = new ArrayList<>();
                long started = System.nanoTime();
                int images = 0;
                while (images < minImages || (System.nanoTime() - started) / 1e9 < minSeconds) {
                    long t0 = System.nanoTime();
                    model.score(crops, 5, true);
                    times.add(System.nanoTime() - t0);
                    images += batch;
                }
                double seconds = (System.nanoTime() - started) / 1e9;
                long[] sorted = times.stream().mapToLong(Long::longValue).sorted().toArray();
                double rate = images / seconds;
                System.out.printf(
                        Locale.ROOT,
                        "| %d | %d | %.1f | %.2f | %.1f | %.1f |%n",
                        batch,
                        images,
                        seconds,
                        rate,
                        sorted[sorted.length / 2] / 1e6,
                        2.0 * macs * rate / 1e9);
            }
        }
        return 0;
    }
}
