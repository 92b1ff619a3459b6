package io.inceptionpipeline.cli;

import io.inceptionpipeline.pipeline.JobOptions;
import io.inceptionpipeline.pipeline.archive.ArchiveItem;
import io.inceptionpipeline.pipeline.archive.ArchiveJob;
import io.inceptionpipeline.pipeline.archive.ArchiveManifest;
import io.inceptionpipeline.pipeline.archive.ArchiveOutput;
import io.inceptionpipeline.pipeline.archive.ArchiveProgress;
import io.inceptionpipeline.pipeline.archive.S3Listing;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code archive}: scores a known set of images (a manifest file or an S3 prefix) in Flink's BATCH
 * mode, into Avro files and/or Kafka, with a progress bar; a rerun skips the ids already answered.
 */
@Command(
        name = "archive",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Scores an archive of images once, in Flink's batch runtime mode, in this JVM:",
            "  --input FILE            a manifest, one image per line: a URI (its id is the URI) or",
            "                          id,uri (CSV; an optional header line id,uri); # comments",
            "  --input s3://BUCKET/P/  every object under the prefix (its id is its s3:// URI);",
            "                          the bucket is allowed for fetching without --allow-s3-bucket",
            "Predictions and dead letters go to Avro container files in --output-dir",
            "(predictions/part-*.avro, dead-letters/part-*.avro) and/or, with --bootstrap-servers,",
            "to --output-topic and --dead-letter-topic (at-least-once: batch runs take no checkpoints).",
            "Resume: a rerun with the same --output-dir skips every id found in a complete part file",
            "(prediction or dead letter). Part files are written as .part-*.inprogress and renamed",
            "when their subtask finished; a run that fails leaves no complete part file of its own,",
            "and the next run deletes what it left in progress and scores those ids again.",
            "file:// URIs need --allowed-root; s3:// URIs need their bucket allowed (or listed).",
            "A progress bar (done/total, rate since the first answer, ETA) goes to stderr.",
            "Kafka input options (--input-topic, --group-id, --starting-offsets), --delivery and",
            "--checkpoint-interval-ms do not apply."
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
            paramLabel = "FILE|s3://BUCKET/PREFIX",
            description = "Manifest file, or an S3 prefix to list.")
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

    @Mixin JobCliOptions job;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (outputDir == null && bootstrapServers == null) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(), "Give --output-dir, --bootstrap-servers or both");
        }
        boolean fromS3 = input.startsWith("s3://");
        if (fromS3) {
            String bucket = S3Listing.bucket(input);
            if (!job.allowedS3Buckets.contains(bucket)) {
                // The operator named this bucket; its objects are what the run is for.
                job.allowedS3Buckets = new ArrayList<>(job.allowedS3Buckets);
                job.allowedS3Buckets.add(bucket);
            }
        } else if (!Files.isRegularFile(Path.of(input))) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(), "No manifest file " + input);
        }
        JobOptions options;
        try {
            JobOptions.Builder builder =
                    job.toBuilder().exactlyOnce(false).checkpointIntervalMs(0).boundedInput(true);
            options =
                    bootstrapServers == null
                            ? builder.withoutKafka().build()
                            : builder.bootstrapServers(bootstrapServers).build();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }

        List<ArchiveItem> listed;
        int duplicates = 0;
        if (fromS3) {
            listed = S3Listing.list(input, options.fetch().s3());
        } else {
            ArchiveManifest.Contents manifest = ArchiveManifest.read(Path.of(input));
            listed = manifest.items();
            duplicates = manifest.duplicates();
        }
        Set<String> answered = new HashSet<>();
        if (outputDir != null) {
            ArchiveOutput output = new ArchiveOutput(outputDir);
            for (Path removed : output.prepare()) {
                System.err.printf("archive: removed %s, left by a run that failed%n", removed);
            }
            answered = output.answeredIds();
        }
        List<ArchiveItem> items = new ArrayList<>();
        for (ArchiveItem item : listed) {
            if (!answered.contains(item.id())) {
                items.add(item);
            }
        }
        System.err.printf(
                Locale.ROOT,
                "archive: %d images listed in %s (%d repeated ids left out), %d already answered"
                        + " in %s, %d to score%n",
                listed.size(),
                input,
                duplicates,
                listed.size() - items.size(),
                outputDir == null ? "-" : outputDir,
                items.size());
        if (items.isEmpty()) {
            return 0;
        }

        // Time for order, random for uniqueness: part files of two runs never share a name.
        String run =
                DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
                                .withZone(ZoneOffset.UTC)
                                .format(Instant.now())
                        + "-"
                        + java.util.UUID.randomUUID().toString().substring(0, 8);
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(
                        LocalCommand.localConfiguration(options));
        env.setParallelism(options.fetchParallelism());
        ArchiveJob.define(
                env,
                items,
                fromS3 ? input : Path.of(input).getFileName().toString(),
                outputDir,
                bootstrapServers != null,
                options,
                run);
        ArchiveProgress progress = new ArchiveProgress(run, items.size());
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
            System.out.printf(
                    Locale.ROOT,
                    "archive: %d of %d answered in %.1f s, start-up included (%.2f images/s);"
                            + " %.2f images/s from the first answer to the last%n",
                    done,
                    items.size(),
                    progress.elapsedSeconds(),
                    done / progress.elapsedSeconds(),
                    progress.steadyRate());
            return done >= items.size() ? 0 : 1;
        } finally {
            progress.close();
        }
    }
}
