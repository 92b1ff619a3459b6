package io.inceptionpipeline.cli;

import io.inceptionpipeline.pipeline.JobOptions;
import io.inceptionpipeline.pipeline.archive.AnsweredIds;
import io.inceptionpipeline.pipeline.archive.ArchiveInput;
import io.inceptionpipeline.pipeline.archive.ArchiveManifest;
import io.inceptionpipeline.pipeline.archive.ArchiveOutput;
import io.inceptionpipeline.pipeline.archive.ArchivePlan;
import io.inceptionpipeline.pipeline.archive.ArchiveProgress;
import io.inceptionpipeline.pipeline.archive.S3Input;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code archive}: scores a known set of images (a manifest file or object, or an S3 prefix),
 * pipelined, into Avro files and/or Kafka committed at checkpoints, with a progress bar; a rerun
 * skips the ids already answered, and restores the checkpoint of a run that was killed.
 */
@Command(
        name = "archive",
        mixinStandardHelpOptions = true,
        defaultValueProvider = ArchiveCommand.CliDefaults.class,
        sortOptions = false,
        description = {
            "Scores an archive of images once, pipelined (Flink's streaming runtime mode over a",
            "bounded source, checkpointing on), in this JVM:",
            "  --input FILE            a manifest, one image per line: a URI (its id is the URI) or",
            "                          id,uri (CSV; an optional header line id,uri); # comments;",
            "                          read by Flink's file source as the job runs",
            "  --input s3://BUCKET/P/  every object under the prefix (its id is its s3:// URI),",
            "                          listed page by page as the job runs",
            "  --input s3://BUCKET/KEY a manifest stored as that S3 object, read as the job runs",
            "                          Which: s3://BUCKET, s3://BUCKET/ and a KEY ending in / are",
            "                          prefixes; any other KEY is a manifest if an object of exactly",
            "                          that key exists (HEAD), else a prefix. The bucket is allowed",
            "                          for fetching without --allow-s3-bucket.",
            "Predictions and dead letters go to Avro container files in --output-dir",
            "(predictions/part-*.avro, dead-letters/part-*.avro), committed at each checkpoint,",
            "and/or, with --bootstrap-servers, to --output-topic and --dead-letter-topic",
            "(exactly-once by default, as --delivery says).",
            "Resume: a rerun with the same --output-dir skips every id found in a complete part file",
            "(prediction or dead letter); and if a run was killed, the same command restores its",
            "latest checkpoint (--checkpoint-dir) and goes on from there.",
            "file:// URIs need --allowed-root; s3:// URIs need their bucket allowed (or listed).",
            "A progress bar (done/total, rate since the first answer, ETA, lines read) goes to stderr.",
            "Kafka input options (--input-topic, --group-id, --starting-offsets) do not apply."
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:every image of the run was answered (prediction or dead letter)",
            "1:some image got no answer",
            "2:invalid command line"
        })
final class ArchiveCommand implements Callable<Integer> {

    @Option(
            names = "--input",
            required = true,
            paramLabel = "FILE|s3://BUCKET/KEY",
            description = "Manifest file, an S3 prefix to list, or a manifest object on S3.")
    String input;

    @Option(
            names = "--output-dir",
            paramLabel = "DIR",
            description = "Folder of the Avro output, and of the ids a rerun skips.")
    Path outputDir;

    @Option(
            names = "--bootstrap-servers",
            description =
                    "Kafka bootstrap servers: also send predictions and dead letters to Kafka.")
    String bootstrapServers;

    @Option(
            names = "--progress-interval-ms",
            defaultValue = "1000",
            description = "How often the progress bar is redrawn. Default: ${DEFAULT-VALUE}.")
    long progressIntervalMs;

    @Option(
            names = "--checkpoint-dir",
            paramLabel = "DIR",
            description =
                    "Where the run's Flink checkpoints are retained; the same command run again"
                            + " after the CLI was killed restores the latest one. Default:"
                            + " OUTPUT-DIR/.checkpoints; with Kafka only, a folder under"
                            + " java.io.tmpdir removed at the end (no restore).")
    Path checkpointDir;

    @Mixin JobCliOptions job;

    /**
     * Checkpoint interval of {@code archive} unless told otherwise: it commits part files, so an
     * interval as short as the streaming job's (which bounds upload latency) would only make many
     * small files; with nobody waiting for one answer, throughput batching and Flink's own network
     * buffer timeout are the archive's defaults too (the settings its benchmarks ran with).
     */
    static final long ARCHIVE_CHECKPOINT_INTERVAL_MS = 5_000;

    /**
     * Where {@code archive}'s defaults differ from the streaming job's ({@link JobCliOptions}):
     * given to picocli, so they are the values parsed and the ones {@code --help} prints.
     */
    static class Defaults implements CommandLine.IDefaultValueProvider {
        @Override
        public String defaultValue(CommandLine.Model.ArgSpec arg) {
            if (!(arg instanceof CommandLine.Model.OptionSpec option)) {
                return null;
            }
            return switch (option.longestName()) {
                case "--checkpoint-interval-ms" -> Long.toString(ARCHIVE_CHECKPOINT_INTERVAL_MS);
                case "--batching" -> "throughput";
                case "--buffer-timeout-ms" -> "100";
                default -> null;
            };
        }
    }

    /**
     * Inference subtasks of an {@code archive} run in this JVM unless told otherwise: two where it
     * sees two processors or more, each with its share of them ({@code --threads 0}). On two cores
     * two one-thread sessions scored Inception-ResNet-v2 16–22% faster than one two-thread session,
     * and the archive 1.08–1.12× {@code bench} (docs/benchmarks.md, "Decoding, resizing and two
     * one-thread sessions"); each subtask holds its own copy of the model. The job jar's archive
     * mode keeps one: a cluster's slots are its own to size.
     */
    static int defaultInferenceParallelism(int processors) {
        return processors >= 2 ? 2 : 1;
    }

    /** {@link Defaults} and, for the CLI, {@link #defaultInferenceParallelism}. */
    static final class CliDefaults extends Defaults {
        @Override
        public String defaultValue(CommandLine.Model.ArgSpec arg) {
            if (arg instanceof CommandLine.Model.OptionSpec option
                    && option.longestName().equals("--inference-parallelism")) {
                return Integer.toString(
                        defaultInferenceParallelism(Runtime.getRuntime().availableProcessors()));
            }
            return super.defaultValue(arg);
        }
    }

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    /**
     * The job options of an archive run, for the CLI and the job jar's archive mode alike: bounded,
     * no duplicate window (ids are unique by the time they reach the job: {@link
     * io.inceptionpipeline.pipeline.archive.FirstOfId}), Kafka only with {@code bootstrapServers},
     * an S3 prefix's own bucket allowed, and a positive checkpoint interval (answers commit at
     * checkpoints).
     */
    static JobOptions archiveOptions(
            JobCliOptions job,
            String input,
            String bootstrapServers,
            CommandLine.Model.CommandSpec spec) {
        if (ArchivePlan.isS3(input)) {
            String bucket;
            try {
                bucket = S3Input.parse(input).bucket();
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
            }
            if (!job.allowedS3Buckets.contains(bucket)) {
                // The operator named this bucket; its objects are what the run is for.
                job.allowedS3Buckets = new ArrayList<>(job.allowedS3Buckets);
                job.allowedS3Buckets.add(bucket);
            }
        }
        JobOptions options;
        try {
            JobOptions.Builder builder = job.toBuilder().boundedInput(true).duplicateWindowMs(0);
            options =
                    bootstrapServers == null
                            ? builder.withoutKafka().build()
                            : builder.bootstrapServers(bootstrapServers).build();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        if (options.checkpointIntervalMs() <= 0) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(),
                    "archive commits its answers at checkpoints: --checkpoint-interval-ms must be"
                            + " positive");
        }
        return options;
    }

    @Override
    public Integer call() throws Exception {
        if (outputDir == null && bootstrapServers == null) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(), "Give --output-dir, --bootstrap-servers or both");
        }
        if (!ArchivePlan.isS3(input) && !Files.isRegularFile(Path.of(input))) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(), "No manifest file " + input);
        }
        job.shareProcessorsInOneJvm();
        JobOptions options = archiveOptions(job, input, bootstrapServers, spec);

        boolean restorable = checkpointDir != null || outputDir != null;
        Path checkpoints =
                restorable
                        ? ArchivePlan.checkpointDir(checkpointDir, outputDir)
                        : Files.createTempDirectory("inception-archive-");
        ArchivePlan plan;
        try {
            plan =
                    ArchivePlan.prepare(
                            input,
                            outputDir,
                            checkpoints,
                            bootstrapServers != null,
                            options,
                            false);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        for (Path removed : plan.removed()) {
            System.err.printf("archive: removed %s, left by a run that failed%n", removed);
        }
        ArchiveManifest.Scan scan = plan.scan();
        Optional<Path> restore = plan.restore();
        System.err.println(plan.summary());
        if (plan.nothingToScore()) {
            plan.checkpoints().clear();
            return 0;
        }

        Configuration conf = LocalCommand.localConfiguration(options);
        conf.addAll(plan.configuration());
        if (restore.isPresent()) {
            System.err.printf(
                    "archive: resuming from checkpoint %s of a run that was stopped%n",
                    restore.get());
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        plan.define(env);
        String run = plan.run();
        ArchiveProgress progress =
                scan == null
                        ? new ArchiveProgress(run, 0, 0)
                        : new ArchiveProgress(run, scan.toScore(), scan.lines());
        if (scan == null) {
            progress.listingToCome();
        }
        try {
            JobClient client = env.executeAsync("inception-pipeline-archive");
            CompletableFuture<JobExecutionResult> result = client.getJobExecutionResult();
            boolean terminal = System.console() != null;
            while (!result.isDone()) {
                progress.print(System.err, terminal);
                Thread.sleep(Math.max(100, progressIntervalMs));
            }
            progress.print(System.err, terminal);
            if (terminal) {
                System.err.println();
            }
            result.get(); // a failed job throws here
            long done = progress.done();
            if (scan == null) {
                System.err.printf(
                        Locale.ROOT,
                        "archive: %d images listed in %s, %d already answered in %s, %d to"
                                + " score%n",
                        progress.lines(),
                        input,
                        progress.lines() - progress.total(),
                        outputDir == null ? "-" : outputDir,
                        progress.total());
            }
            System.out.printf(
                    Locale.ROOT,
                    "archive: %d of %d answered in %.1f s, start-up included (%.2f images/s);"
                            + " %.2f images/s from the first answer to the last%n",
                    done,
                    progress.total(),
                    progress.elapsedSeconds(),
                    done / progress.elapsedSeconds(),
                    progress.steadyRate());
            plan.finished(); // nothing to restore; a killed run's uncommitted files removed
            return answeredAll(done, progress.total(), plan.input(), restore.isPresent()) ? 0 : 1;
        } finally {
            progress.close();
            if (!restorable) {
                plan.checkpoints().clear();
                Files.deleteIfExists(plan.checkpoints().dir());
            }
        }
    }

    /**
     * Whether every id of the run got its answer. A restored run also commits what its checkpoint
     * held pending, answers this run does not count: then the output folder is the judge.
     */
    private boolean answeredAll(
            long done, long toScore, ArchiveInput archiveInput, boolean restored)
            throws java.io.IOException {
        if (done >= toScore) {
            return true;
        }
        if (!restored || outputDir == null) {
            return restored && outputDir == null;
        }
        try (AnsweredIds answered = new ArchiveOutput(outputDir).answeredIds()) {
            return archiveInput.unanswered(answered) == 0;
        }
    }
}
