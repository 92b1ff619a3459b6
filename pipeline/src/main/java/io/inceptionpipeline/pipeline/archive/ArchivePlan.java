package io.inceptionpipeline.pipeline.archive;

import io.inceptionpipeline.pipeline.JobOptions;
import io.inceptionpipeline.pipeline.ScoringJob;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * An archive run as decided at submission, the same for the CLI's {@code archive} (a MiniCluster in
 * its own JVM) and the job jar's archive mode ({@code flink run ... archive}, the cluster's
 * environment): which retained checkpoint it restores, the output folder prepared, the ids already
 * answered there left out, the input, the run's id; then the checkpointing it commits at ({@link
 * #configuration()}) and the job itself ({@link #define}).
 *
 * <pre>{@code
 * ArchivePlan plan = ArchivePlan.prepare(input, outputDir, checkpointDir, kafka, options, false);
 * StreamExecutionEnvironment env =
 *         StreamExecutionEnvironment.getExecutionEnvironment(plan.configuration());
 * plan.define(env);
 * env.executeAsync("inception-pipeline-archive");
 * }</pre>
 */
public final class ArchivePlan {

    private final String input;
    private final Path outputDir;
    private final boolean kafka;
    private final JobOptions options;
    private final ArchiveCheckpoints checkpoints;
    private final Optional<Path> restore;
    private final List<Path> removed;
    private final ArchiveInput archiveInput;
    private final ArchiveManifest.Scan scan;
    private final String run;

    private ArchivePlan(
            String input,
            Path outputDir,
            boolean kafka,
            JobOptions options,
            ArchiveCheckpoints checkpoints,
            Optional<Path> restore,
            List<Path> removed,
            ArchiveInput archiveInput,
            ArchiveManifest.Scan scan) {
        this.input = input;
        this.outputDir = outputDir;
        this.kafka = kafka;
        this.options = options;
        this.checkpoints = checkpoints;
        this.restore = restore;
        this.removed = removed;
        this.archiveInput = archiveInput;
        this.scan = scan;
        this.run = runId(Instant.now());
    }

    /**
     * Where a run's checkpoints are retained: {@code checkpointDir} if given, else {@code
     * OUTPUT-DIR/.checkpoints}; null when neither is given (the caller's choice: a temporary folder
     * for the CLI, the cluster's own checkpoint storage for the job jar).
     */
    public static Path checkpointDir(Path checkpointDir, Path outputDir) {
        if (checkpointDir != null) {
            return checkpointDir;
        }
        return outputDir == null ? null : outputDir.resolve(ArchiveCheckpoints.DEFAULT_DIR);
    }

    /**
     * Plans a run of {@code input} (a manifest file, or an {@code s3://} prefix to list now) into
     * {@code outputDir} and/or Kafka ({@code kafka}; either may be absent, not both). With {@code
     * checkpointDir} (may be null: no restore), the latest checkpoint retained there is restored,
     * unless {@code stateGiven} (the submitter named a savepoint or checkpoint itself, as {@code
     * flink run -s} does). The output folder is prepared (in-progress files of a failed run removed
     * unless they may be the restored state's) and read for the ids already answered.
     */
    public static ArchivePlan prepare(
            String input,
            Path outputDir,
            Path checkpointDir,
            boolean kafka,
            JobOptions options,
            boolean stateGiven)
            throws IOException {
        if (outputDir == null && !kafka) {
            throw new IllegalArgumentException(
                    "An archive run needs an output folder, Kafka or both");
        }
        boolean fromS3 = isS3(input);
        ArchiveCheckpoints checkpoints =
                checkpointDir == null ? null : new ArchiveCheckpoints(checkpointDir);
        // Every input kind's source checkpoints its position (an S3 prefix its listing's token).
        Optional<Path> restore =
                checkpoints != null && !stateGiven ? checkpoints.latest() : Optional.empty();

        List<Path> removed =
                outputDir == null
                        ? List.of()
                        : new ArchiveOutput(outputDir).prepare(restore.isPresent() || stateGiven);
        ArchiveInput archiveInput;
        ArchiveManifest.Scan scan; // null: an S3 prefix, counted as it is listed
        S3Input s3Input = fromS3 ? S3Input.parse(input) : null;
        if (s3Input != null && !s3Input.isManifest(options.fetch().s3())) {
            // The prefix source's enumerator reads the answered ids itself, page by page.
            s3Input.checkListable(options.fetch().s3());
            scan = null;
            archiveInput = new S3PrefixInput(s3Input, options.fetch().s3());
        } else {
            // A manifest is counted before the run; its ids are not kept for it: the job reads
            // them itself.
            try (AnsweredIds answered =
                    outputDir == null
                            ? AnsweredIds.none()
                            : new ArchiveOutput(outputDir).answeredIds()) {
                if (s3Input != null) {
                    scan = S3ManifestInput.scan(s3Input, options.fetch().s3(), answered);
                    archiveInput =
                            new S3ManifestInput(
                                    s3Input, options.fetch().s3(), scan.duplicates() > 0);
                } else {
                    scan = ArchiveManifest.scan(Path.of(input), answered);
                    archiveInput = new ManifestInput(Path.of(input), scan.duplicates() > 0);
                }
            }
        }
        return new ArchivePlan(
                input,
                outputDir,
                kafka,
                options,
                checkpoints,
                restore,
                removed,
                archiveInput,
                scan);
    }

    /**
     * Whether {@code input} is on S3 (a prefix to list, or a manifest object) rather than a file.
     */
    public static boolean isS3(String input) {
        return input.startsWith("s3://");
    }

    /** Time for order, random for uniqueness: part files of two runs never share a name. */
    static String runId(Instant now) {
        return DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
                        .withZone(ZoneOffset.UTC)
                        .format(now)
                + "-"
                + UUID.randomUUID().toString().substring(0, 8);
    }

    /**
     * The checkpointing the run commits at: retained on cancellation (and failure) in the
     * checkpoint folder, if there is one (else wherever the cluster keeps checkpoints), and the
     * checkpoint to restore, if {@link #prepare} chose one.
     */
    public Configuration configuration() {
        Configuration conf = new Configuration();
        if (checkpoints != null) {
            ScoringJob.withCheckpointsIn(conf, checkpoints.dir());
        }
        conf.set(
                CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION,
                ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
        restore.ifPresent(
                path -> conf.set(StateRecoveryOptions.SAVEPOINT_PATH, path.toUri().toString()));
        return conf;
    }

    /** Wires the run onto {@code env} ({@link ArchiveJob#define}), at the fetch parallelism. */
    public void define(StreamExecutionEnvironment env) {
        env.setParallelism(options.fetchParallelism());
        ArchiveJob.define(env, archiveInput, outputDir, kafka, options, run);
    }

    /**
     * After the job finished: nothing is left to restore, and what a killed run left in progress is
     * removed.
     */
    public void finished() throws IOException {
        if (checkpoints != null) {
            checkpoints.clear();
        }
        if (outputDir != null) {
            new ArchiveOutput(outputDir).prepare(false);
        }
    }

    /** One line: what the input lists, what the output folder already answers, what is left. */
    public String summary() {
        if (scan == null) {
            return String.format(
                    "archive: listing %s page by page as the job runs, skipping ids answered in %s",
                    input, outputDir == null ? "-" : outputDir);
        }
        return String.format(
                Locale.ROOT,
                "archive: %d images listed in %s (%d repeated ids left out), %d already answered"
                        + " in %s, %d to score",
                scan.listed(),
                input,
                scan.duplicates(),
                scan.answered(),
                outputDir == null ? "-" : outputDir,
                scan.toScore());
    }

    /** The input counted before the run; null for an S3 prefix, counted as it is listed. */
    public ArchiveManifest.Scan scan() {
        return scan;
    }

    /** Whether the input is known before the run to hold nothing left to score. */
    public boolean nothingToScore() {
        return scan != null && scan.toScore() == 0;
    }

    /** What the run scores, in words: a count, or the unanswered objects of a prefix. */
    public String toScore() {
        return scan == null
                ? "the unanswered objects under " + input
                : String.format(Locale.ROOT, "%d images", scan.toScore());
    }

    /** The run's input kind. */
    public ArchiveInput input() {
        return archiveInput;
    }

    /** The retained checkpoint this run restores, if {@link #prepare} chose one. */
    public Optional<Path> restore() {
        return restore;
    }

    /** In-progress files of a failed run that {@link #prepare} removed. */
    public List<Path> removed() {
        return removed;
    }

    /** The checkpoint folder (null: none of the run's own). */
    public ArchiveCheckpoints checkpoints() {
        return checkpoints;
    }

    /** The run's id: the prefix of its part files. */
    public String run() {
        return run;
    }
}
