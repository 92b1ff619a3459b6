package io.inceptionpipeline.cli;

import io.inceptionpipeline.models.image.RgbImage;
import io.inceptionpipeline.operators.batch.BatchScorer;
import io.inceptionpipeline.operators.decode.ImagePreparer;
import io.inceptionpipeline.operators.records.CroppedImage;
import io.inceptionpipeline.operators.records.ImageRequest;
import io.inceptionpipeline.pipeline.CropBuffers;
import io.inceptionpipeline.pipeline.EmbeddedKafka;
import io.inceptionpipeline.pipeline.JobOptions;
import io.inceptionpipeline.pipeline.LabelsCsv;
import io.inceptionpipeline.pipeline.RequestPublisher;
import io.inceptionpipeline.pipeline.RunSummary;
import io.inceptionpipeline.pipeline.SampleImages;
import io.inceptionpipeline.pipeline.ScoringJob;
import io.inceptionpipeline.pipeline.ThreadCpu;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code local}: the whole system in one JVM. A real Kafka broker (KRaft), Flink's MiniCluster, the
 * topics, the bundled sample images published as requests, the job run until every request is
 * answered, a summary.
 */
@Command(
        name = "local",
        mixinStandardHelpOptions = true,
        defaultValueProvider = LocalCommand.Defaults.class,
        sortOptions = false,
        description = {
            "Runs everything in this JVM: starts a Kafka broker (Kafka's own KRaft server) and Flink's",
            "MiniCluster, creates the topics, publishes the bundled sample images (or --images) as",
            "requests, runs the scoring job until every request is answered, prints a summary and exits.",
            "With --keep-running the broker and the job stay up for your own requests."
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:every request was answered",
            "1:some request got no answer",
            "2:invalid command line"
        })
final class LocalCommand implements Callable<Integer> {

    @Option(
            names = "--images",
            paramLabel = "DIR",
            description = "Score the images in DIR (recursively) instead of the bundled samples.")
    Path images;

    @Option(
            names = "--count",
            defaultValue = "0",
            description = "Requests to publish, cycling through the images (0: each image once).")
    int count;

    @Option(
            names = "--keep-running",
            description = "Leave the broker and the job running; print how to publish requests.")
    boolean keepRunning;

    @Option(
            names = "--compare-raw",
            paramLabel = "SECONDS",
            defaultValue = "0",
            description =
                    "Measure raw batched inference for SECONDS on the same images before the job and again after it, then report the pipeline's sustained rate as a fraction of their mean (the machine's speed can drift within minutes), and the share of the time the inference subtasks were busy.")
    int compareRawSeconds;

    @Option(
            names = "--examples",
            defaultValue = "5",
            description = "Predictions to print. Default: ${DEFAULT-VALUE}.")
    int examples;

    /**
     * The model {@code local} scores with unless --model says otherwise: it ships trained weights.
     */
    static final String DEFAULT_MODEL = "inception_resnet_fmnist";

    /**
     * Where {@code local}'s defaults differ from {@code run}'s (the shared {@link JobCliOptions}):
     * given to picocli, so they are the values parsed and the ones {@code --help} prints.
     */
    static final class Defaults implements CommandLine.IDefaultValueProvider {
        @Override
        public String defaultValue(CommandLine.Model.ArgSpec arg) {
            if (!(arg instanceof CommandLine.Model.OptionSpec option)) {
                return null;
            }
            return switch (option.longestName()) {
                case "--model" -> DEFAULT_MODEL;
                // the requests are published before the job starts
                case "--starting-offsets" -> "earliest";
                default -> null;
            };
        }
    }

    @Mixin JobCliOptions job;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Path work = Files.createTempDirectory("inception-local-");
        Path root = images;
        if (root == null) {
            root = work.resolve("samples");
            SampleImages.extract(
                    job.model.equals(DEFAULT_MODEL)
                            ? SampleImages.FASHION_MNIST
                            : SampleImages.PHOTOS,
                    root);
        }
        List<Path> files = listImages(root);
        if (files.isEmpty()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "No files under " + root);
        }
        Map<String, Integer> truth = LabelsCsv.read(root);
        int requests = count > 0 ? count : files.size();
        System.err.printf(
                "local: %d requests over %d images in %s%n", requests, files.size(), root);

        // Broker, topics and producer take a request as large as the job accepts: an inline
        // image of --max-image-bytes with its envelope.
        int messageBytes;
        try {
            messageBytes = EmbeddedKafka.maxMessageBytes(job.maxImageBytes);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        try (EmbeddedKafka kafka =
                EmbeddedKafka.start(
                        work.resolve("kafka"), EmbeddedKafka.sizedFor(job.maxImageBytes))) {
            JobOptions options;
            try {
                List<String> roots = new ArrayList<>(job.allowedRoots);
                roots.add(root.toString());
                job.allowedRoots = roots;
                job.shareProcessorsInOneJvm();
                options =
                        job.toBuilder()
                                .bootstrapServers(kafka.bootstrapServers())
                                .boundedInput(!keepRunning)
                                .build();
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
            }
            RawRate rawBefore =
                    compareRawSeconds > 0 ? rawRate(files, options, "before the job") : null;
            kafka.createTopics(
                    Math.max(2, options.fetchParallelism()),
                    Map.of("max.message.bytes", Integer.toString(messageBytes)),
                    options.inputTopic(),
                    options.outputTopic(),
                    options.deadLetterTopic());

            Map<String, Long> publishedAt = new LinkedHashMap<>();
            Map<String, Integer> expected = new LinkedHashMap<>();
            try (RequestPublisher publisher =
                    new RequestPublisher(
                            kafka.bootstrapServers(),
                            options.inputTopic(),
                            true,
                            Map.of("max.request.size", Integer.toString(messageBytes)))) {
                for (int i = 0; i < requests; i++) {
                    String id = String.format(Locale.ROOT, "local-%06d", i);
                    publishedAt.put(id, System.currentTimeMillis());
                    Path file = files.get(i % files.size());
                    publisher.publish(id, file.toUri().toString());
                    Integer label = truth.get(root.relativize(file).toString());
                    if (label != null) {
                        expected.put(id, label);
                    }
                }
                publisher.flush();
            }

            StreamExecutionEnvironment env =
                    StreamExecutionEnvironment.getExecutionEnvironment(
                            withCheckpointsIn(localConfiguration(options), work));
            env.setParallelism(options.fetchParallelism());
            ScoringJob.wireKafka(env, options);
            if (keepRunning) {
                return keepRunning(env, kafka, options, work, messageBytes);
            }
            long started = System.nanoTime();
            // where the cores go while the job runs, for --compare-raw's account of its window
            ThreadCpu.Sampler cores =
                    rawBefore != null ? new ThreadCpu.Sampler(Duration.ofSeconds(1)) : null;
            try {
                env.execute("inception-pipeline-local");
            } finally {
                if (cores != null) {
                    cores.close();
                }
            }
            double wallSeconds = (System.nanoTime() - started) / 1e9;

            RunSummary summary =
                    RunSummary.read(
                            kafka.bootstrapServers(),
                            options.outputTopic(),
                            options.deadLetterTopic(),
                            Map.of());
            summary.print(System.out, requests, wallSeconds, publishedAt, examples);
            summary.printAccuracy(System.out, expected);
            if (rawBefore != null) {
                RawRate rawAfter = rawRate(files, options, "after the job");
                printComparison(summary, options, rawBefore, rawAfter, cores);
            }
            int answered = summary.predictions().size() + summary.failures().size();
            return answered == requests ? 0 : 1;
        } finally {
            deleteQuietly(work);
        }
    }

    /**
     * A MiniCluster for one job in this JVM: slots for its parallelism, no restarts, network
     * buffers that hold {@code --crop-buffer-batches} batches of crops ({@link CropBuffers}).
     */
    static Configuration localConfiguration(JobOptions options) {
        Configuration conf = new Configuration();
        int slots = Math.max(options.fetchParallelism(), options.inferenceParallelism());
        conf.set(TaskManagerOptions.NUM_TASK_SLOTS, slots);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        CropBuffers.configure(conf, options, slots);
        return conf;
    }

    /** Checkpoints on disk in the run's work directory ({@link ScoringJob#withCheckpointsIn}). */
    static Configuration withCheckpointsIn(Configuration conf, Path work) {
        return ScoringJob.withCheckpointsIn(conf, work.resolve("checkpoints"));
    }

    private int keepRunning(
            StreamExecutionEnvironment env,
            EmbeddedKafka kafka,
            JobOptions options,
            Path work,
            int messageBytes)
            throws Exception {
        JobClient client = env.executeAsync("inception-pipeline-local");
        System.out.printf(
                Locale.ROOT,
                "Kafka broker: %s%nrequests: %s, predictions: %s, dead letters: %s%n"
                        + "Publish with: java -jar pipeline/target/inception-pipeline.jar produce --bootstrap-servers %s --topic %s DIR%n"
                        + "file:// URIs must lie under: %s%n"
                        + "Requests up to %d bytes (inline images up to --max-image-bytes): set"
                        + " max.request.size=%d in your producer.%n"
                        + "Ctrl-C stops the job and the broker.%n",
                kafka.bootstrapServers(),
                options.inputTopic(),
                options.outputTopic(),
                options.deadLetterTopic(),
                kafka.bootstrapServers(),
                options.inputTopic(),
                String.join(", ", options.fetch().allowedRoots()),
                messageBytes,
                messageBytes);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(
                        new Thread(
                                () -> {
                                    // The JVM is exiting: stop the job, then the broker, then
                                    // remove the broker's log folder and the samples.
                                    try {
                                        client.cancel()
                                                .get(30, java.util.concurrent.TimeUnit.SECONDS);
                                    } catch (Exception e) {
                                        // exiting anyway
                                    }
                                    kafka.close();
                                    deleteQuietly(work);
                                    stopped.countDown();
                                }));
        stopped.await();
        return 0;
    }

    /**
     * Raw batched inference: images per second, and the share of the cores the whole JVM took
     * meanwhile ({@link ThreadCpu#busy}; NaN where it cannot be read).
     */
    private record RawRate(double imagesPerSecond, double coresBusy) {}

    /**
     * The pipeline against raw batched inference measured before and after it: the ratio to their
     * mean, and what the ratio is made of (the subtasks' busy share, their forward pass against
     * raw's, and the share of the cores each kind of thread took in the sustained window against
     * the share raw inference took).
     */
    private static void printComparison(
            RunSummary summary,
            JobOptions options,
            RawRate before,
            RawRate after,
            ThreadCpu.Sampler cores) {
        double raw = (before.imagesPerSecond() + after.imagesPerSecond()) / 2;
        int subtasks = options.inferenceParallelism();
        System.out.printf(
                Locale.ROOT,
                "raw batched inference before the job %.2f images/s, after it %.2f images/s%n",
                before.imagesPerSecond(),
                after.imagesPerSecond());
        System.out.printf(
                Locale.ROOT,
                "inference busy %.1f%% of the sustained window (%d subtask(s)); forward pass %.1f ms per batch in the job, %.1f ms raw%n",
                100 * summary.inferenceBusy(subtasks),
                subtasks,
                summary.meanForwardPassMs(),
                1000.0 * options.batchSize() * subtasks / raw);
        System.out.printf(
                Locale.ROOT,
                "raw batched inference %.2f images/s (batch %d); pipeline sustained rate / raw = %.3f%n",
                raw,
                options.batchSize(),
                summary.steadyImagesPerSecond() / raw);
        int processors = Runtime.getRuntime().availableProcessors();
        Optional<RunSummary.Span> half = summary.laterHalf();
        if (half.isPresent()) {
            RunSummary.Span span = half.get();
            String halfCores =
                    cores.within(span.fromMillis(), span.toMillis())
                            .map(interval -> "; cores: " + interval.shares(processors))
                            .orElse("");
            System.out.printf(
                    Locale.ROOT,
                    "later half of the sustained window (its last %.1f s): %.2f images/s, %.3f of"
                            + " raw%s%n",
                    (span.toMillis() - span.fromMillis()) / 1000.0,
                    span.imagesPerSecond(),
                    span.imagesPerSecond() / raw,
                    halfCores);
        }
        summary.sustainedWindow()
                .flatMap(window -> cores.within(window.fromMillis(), window.toMillis()))
                .ifPresent(
                        interval ->
                                System.out.printf(
                                        Locale.ROOT,
                                        "cores (%d) in the sustained window: %s; during raw"
                                                + " inference the JVM took %.1f%% before the job,"
                                                + " %.1f%% after%n",
                                        processors,
                                        interval.shares(processors),
                                        100 * before.coresBusy(),
                                        100 * after.coresBusy()));
    }

    /**
     * Raw batched inference on the same images with the job's own scorer (the code the inference
     * operator runs), without Kafka, Flink or decoding in the loop: the pipeline/raw ratio's
     * denominator. One scorer per inference subtask, all scoring at once, as the job's subtasks do
     * (each with the job's share of the processors).
     */
    private RawRate rawRate(List<Path> files, JobOptions options, String when) throws Exception {
        ImagePreparer preparer = new ImagePreparer(options.prepare());
        List<CroppedImage> batch = new ArrayList<>();
        for (int i = 0; i < options.batchSize(); i++) {
            Path file = files.get(i % files.size());
            RgbImage crop = preparer.prepare(Files.readAllBytes(file)).get(0);
            CroppedImage image = new CroppedImage();
            image.request = new ImageRequest();
            image.request.requestId = "raw-" + i;
            image.request.uri = file.toUri().toString();
            image.width = crop.width();
            image.height = crop.height();
            image.pixels = crop.pixels();
            image.cropMode = preparer.cropMode().id();
            batch.add(image);
        }
        int subtasks = options.inferenceParallelism();
        List<BatchScorer> scorers = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(subtasks);
        try {
            for (int i = 0; i < subtasks; i++) {
                BatchScorer scorer = options.scorer().open(i);
                scorers.add(scorer);
                scorer.score(batch, System.currentTimeMillis()); // warm-up
            }
            long started = System.nanoTime();
            Optional<ThreadCpu.Sample> cpuBefore = ThreadCpu.now();
            List<Future<Integer>> counts = new ArrayList<>();
            for (BatchScorer scorer : scorers) {
                counts.add(pool.submit(() -> scoreUntil(scorer, batch, started)));
            }
            int scored = 0;
            for (Future<Integer> count : counts) {
                scored += count.get();
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            Optional<ThreadCpu.Sample> cpuAfter = ThreadCpu.now();
            double busy =
                    cpuBefore.isPresent() && cpuAfter.isPresent()
                            ? ThreadCpu.busy(
                                    cpuBefore.get(),
                                    cpuAfter.get(),
                                    Runtime.getRuntime().availableProcessors())
                            : Double.NaN;
            System.err.printf(
                    Locale.ROOT,
                    "raw batched inference %s: %d images in %.1f s on %d scorer(s), %.2f images/s%n",
                    when,
                    scored,
                    seconds,
                    subtasks,
                    scored / seconds);
            return new RawRate(scored / seconds, busy);
        } finally {
            pool.shutdownNow();
            for (BatchScorer scorer : scorers) {
                scorer.close();
            }
        }
    }

    /**
     * Scores {@code batch} again and again for --compare-raw seconds; returns the images scored.
     */
    private int scoreUntil(BatchScorer scorer, List<CroppedImage> batch, long started)
            throws Exception {
        int scored = 0;
        while (System.nanoTime() - started < compareRawSeconds * 1_000_000_000L) {
            scorer.score(batch, System.currentTimeMillis());
            scored += batch.size();
        }
        return scored;
    }

    static List<Path> listImages(Path dir) throws Exception {
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(Files::isRegularFile)
                    .filter(p -> !p.getFileName().toString().startsWith("."))
                    .filter(p -> !p.getFileName().toString().equals(LabelsCsv.FILE_NAME))
                    .sorted(Comparator.naturalOrder())
                    .toList();
        }
    }

    static void deleteQuietly(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (Exception e) {
            // best effort: a temp folder
        }
    }
}
