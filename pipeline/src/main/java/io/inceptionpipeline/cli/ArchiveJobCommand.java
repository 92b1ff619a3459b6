package io.inceptionpipeline.cli;

import io.inceptionpipeline.pipeline.JobOptions;
import io.inceptionpipeline.pipeline.archive.ArchivePlan;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.flink.configuration.DeploymentOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The archive mode of the cluster job jar ({@link JobMain}): {@code flink run
 * inception-pipeline-job.jar archive --input /shared/manifest.csv --output-dir /shared/out} submits
 * the job {@code archive} runs in its own JVM ({@link ArchivePlan}, the same code) to the cluster's
 * environment, prints the job id and where the answers go, and, unless submitted detached, waits
 * for the job to end. No progress bar: its counters live in the TaskManagers.
 */
@Command(
        name = "archive",
        mixinStandardHelpOptions = true,
        defaultValueProvider = ArchiveCommand.Defaults.class,
        sortOptions = false,
        description = {
            "The job of `archive`, submitted to a Flink cluster:",
            "  flink run [-d] inception-pipeline-job.jar archive --input /shared/manifest.csv \\",
            "      --output-dir /shared/out [options]",
            "Flink's streaming runtime mode over the bounded manifest, checkpointing on; predictions",
            "and dead letters go to Avro part files in --output-dir committed at each checkpoint,",
            "and/or, with --bootstrap-servers, to Kafka (exactly-once by default).",
            "Shared storage: the manifest, --output-dir and --checkpoint-dir are read where this",
            "program runs (the flink client, or the JobManager for a REST submission) and read and",
            "written by every TaskManager, so give absolute paths (or file:// URIs) on a file",
            "system all of them mount (NFS, EFS, a ReadWriteMany volume). --input s3://BUCKET/P/",
            "is listed page by page by the job (on the JobManager, which then reads --output-dir",
            "for the ids answered); --input s3://BUCKET/KEY reads that manifest object; archive",
            "--help says which an s3:// input is.",
            "Resume: ids in the output folder's complete part files are skipped (read at",
            "submission). A job that failed or was cancelled leaves its checkpoints in",
            "--checkpoint-dir; submitting the same command again restores the latest one (or give",
            "flink run -s CHECKPOINT).",
            "Prints the job id and where the answers go; without -d, waits for the job to end."
        })
final class ArchiveJobCommand implements Callable<Integer> {

    /** The first argument of the job jar that selects this mode. */
    static final String MODE = "archive";

    @Option(
            names = "--input",
            required = true,
            paramLabel = "/SHARED/FILE|s3://BUCKET/KEY",
            description =
                    "Manifest file on shared storage, an S3 prefix to list, or a manifest object on S3.")
    String input;

    @Option(
            names = "--output-dir",
            paramLabel = "/SHARED/DIR",
            description =
                    "Folder of the Avro output, and of the ids a resubmission skips, on shared"
                            + " storage.")
    String outputDir;

    @Option(
            names = "--bootstrap-servers",
            description =
                    "Kafka bootstrap servers: also send predictions and dead letters to Kafka.")
    String bootstrapServers;

    @Option(
            names = "--checkpoint-dir",
            paramLabel = "/SHARED/DIR",
            description =
                    "Where the job's checkpoints are retained (shared storage the JobManager"
                            + " writes). Default: OUTPUT-DIR/.checkpoints; with Kafka only, the"
                            + " cluster's execution.checkpointing.dir.")
    String checkpointDir;

    @Option(
            names = "--job-name",
            defaultValue = "inception-pipeline-archive",
            description = "Flink job name. Default: ${DEFAULT-VALUE}.")
    String jobName;

    @Mixin JobCliOptions job;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (outputDir == null && bootstrapServers == null) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(), "Give --output-dir, --bootstrap-servers or both");
        }
        boolean fromS3 = ArchivePlan.isS3(input);
        Path manifest = fromS3 ? null : shared("--input", input);
        if (manifest != null && !Files.isRegularFile(manifest)) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(),
                    "No manifest file "
                            + manifest
                            + " here: on a cluster it must be on storage this program and every"
                            + " TaskManager mount");
        }
        Path output = outputDir == null ? null : shared("--output-dir", outputDir);
        Path checkpoints =
                ArchivePlan.checkpointDir(
                        checkpointDir == null ? null : shared("--checkpoint-dir", checkpointDir),
                        output);
        JobOptions options = ArchiveCommand.archiveOptions(job, input, bootstrapServers, spec);

        // The cluster's environment carries what the submitter gave: flink run -s, -d.
        StreamExecutionEnvironment submitted = StreamExecutionEnvironment.getExecutionEnvironment();
        boolean stateGiven =
                submitted
                        .getConfiguration()
                        .getOptional(StateRecoveryOptions.SAVEPOINT_PATH)
                        .isPresent();
        boolean attached = submitted.getConfiguration().get(DeploymentOptions.ATTACHED);
        ArchivePlan plan =
                ArchivePlan.prepare(
                        fromS3 ? input : manifest.toString(),
                        output,
                        checkpoints,
                        bootstrapServers != null,
                        options,
                        stateGiven);
        for (Path removed : plan.removed()) {
            System.out.printf("archive: removed %s, left by a run that failed%n", removed);
        }
        System.out.println(plan.summary());
        if (plan.nothingToScore()) {
            System.out.println("archive: nothing to score; no job submitted");
            return 0;
        }
        plan.restore()
                .ifPresent(
                        path ->
                                System.out.printf(
                                        "archive: resuming from checkpoint %s of a job that"
                                                + " stopped%n",
                                        path));

        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(plan.configuration());
        plan.define(env);
        JobClient client = env.executeAsync(jobName);
        System.out.printf(
                Locale.ROOT,
                "archive: job %s submitted, %s to score; predictions to %s, dead letters"
                        + " to %s; checkpoints in %s%n",
                client.getJobID(),
                plan.toScore(),
                destination(output, "predictions", options.outputTopic()),
                destination(output, "dead-letters", options.deadLetterTopic()),
                checkpoints == null ? "the cluster's execution.checkpointing.dir" : checkpoints);
        if (attached) {
            client.getJobExecutionResult().get(); // a failed job throws here
            plan.finished();
            System.out.printf("archive: job %s finished%n", client.getJobID());
        }
        return 0;
    }

    private String destination(Path output, String folder, String topic) {
        String files = output == null ? null : output.resolve(folder) + "/part-*.avro";
        String kafka = bootstrapServers == null ? null : "Kafka topic " + topic;
        return files == null ? kafka : kafka == null ? files : files + " and " + kafka;
    }

    private Path shared(String option, String value) {
        try {
            return sharedPath(option, value);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    /**
     * A path every process of the cluster can resolve alike: absolute, or a {@code file://} URI. A
     * relative path would resolve against each process's own working directory; other file systems'
     * URIs are not read by the archive's output folder yet.
     */
    static Path sharedPath(String option, String value) {
        String hint =
                " (on a cluster, "
                        + option
                        + " must be an absolute path, or a file:// URI, on storage the JobManager"
                        + " and every TaskManager mount)";
        if (value.startsWith("file:")) {
            try {
                return Path.of(new URI(value)).normalize();
            } catch (URISyntaxException | IllegalArgumentException e) {
                throw new IllegalArgumentException(
                        option + " " + value + " is not a file URI: " + e.getMessage() + hint);
            }
        }
        int scheme = value.indexOf("://");
        if (scheme > 0) {
            throw new IllegalArgumentException(
                    option
                            + " "
                            + value
                            + ": the "
                            + value.substring(0, scheme)
                            + ":// file system is not supported here"
                            + hint);
        }
        Path path = Path.of(value);
        if (!path.isAbsolute()) {
            throw new IllegalArgumentException(option + " " + value + " is a relative path" + hint);
        }
        return path.normalize();
    }
}
