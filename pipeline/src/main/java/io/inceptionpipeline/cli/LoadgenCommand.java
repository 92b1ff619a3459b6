package io.inceptionpipeline.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.inceptionpipeline.pipeline.LabelsCsv;
import io.inceptionpipeline.pipeline.loadgen.LatencyPlot;
import io.inceptionpipeline.pipeline.loadgen.LatencyReport;
import io.inceptionpipeline.pipeline.loadgen.LoadGenerator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code loadgen}: requests at a fixed rate, answers read back, latency percentiles. */
@Command(
        name = "loadgen",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Publishes requests at a fixed rate for a while, reads the predictions and dead letters",
            "with isolation.level=read_committed (what a consumer of an exactly-once job sees), matches",
            "them by request id and prints: sent, answered, missing, duplicates and the latency from",
            "each send to the receipt of its answer (p50, p90, p99, max; same clock). Works against",
            "`local --keep-running` and any cluster running the job."
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:every request answered exactly once",
            "1:some request missing or answered twice",
            "2:invalid command line"
        })
final class LoadgenCommand implements Callable<Integer> {

    @Option(
            names = "--bootstrap-servers",
            required = true,
            description = "Kafka bootstrap servers.")
    String bootstrapServers;

    @Option(
            names = "--rate",
            required = true,
            paramLabel = "PER_SECOND",
            description = "Requests per second (a fixed schedule; a late send goes out at once).")
    double rate;

    @Option(
            names = "--duration",
            required = true,
            paramLabel = "SECONDS",
            description = "How long to publish: rate × duration requests.")
    double durationSeconds;

    static final class Source {
        @Option(
                names = "--images",
                paramLabel = "DIR",
                description =
                        "Images to cycle through: every file under DIR (recursively), as file:// URIs; the job must allow the folder (--allowed-root).")
        Path images;

        @Option(
                names = "--manifest",
                paramLabel = "FILE",
                description =
                        "URIs to cycle through: one a line, a URI or path, or id,uri (the id is replaced: every request gets its own).")
        Path manifest;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    @Mixin TopicOptions topics;

    @Option(
            names = "--format",
            defaultValue = "avro",
            description =
                    "avro (ScoringRequest with request_id) or text (the URI; the id is the message key). Default: ${DEFAULT-VALUE}.")
    String format;

    @Option(
            names = "--drain-timeout-s",
            defaultValue = "30",
            description =
                    "After the last send, wait this long at most for the remaining answers. Default: ${DEFAULT-VALUE}.")
    double drainTimeoutSeconds;

    @Option(
            names = "--id-prefix",
            description = "Request ids are PREFIX-0000000, … Default: loadgen-<random>.")
    String idPrefix;

    @Option(names = "--json", description = "Print the figures as one JSON object.")
    boolean json;

    @Option(
            names = "--plot",
            paramLabel = "FILE.png",
            description = "Draw each request's latency over the run as a PNG.")
    Path plot;

    @Option(
            names = "--kafka-property",
            paramLabel = "KEY=VALUE",
            description = "A Kafka client setting of the producer and consumer (repeatable).")
    Map<String, String> kafkaProperties = new LinkedHashMap<>();

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (!format.equals("avro") && !format.equals("text")) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(), "--format must be avro or text");
        }
        LoadGenerator.Settings settings;
        List<String> uris;
        try {
            settings =
                    new LoadGenerator.Settings(
                            bootstrapServers,
                            topics.inputTopic,
                            topics.outputTopic,
                            topics.deadLetterTopic,
                            format.equals("avro"),
                            rate,
                            Duration.ofNanos(Math.round(durationSeconds * 1e9)),
                            Duration.ofMillis(Math.round(drainTimeoutSeconds * 1000)),
                            idPrefix != null
                                    ? idPrefix
                                    : "loadgen-" + UUID.randomUUID().toString().substring(0, 8),
                            kafkaProperties);
            uris =
                    source.images != null
                            ? folderUris(source.images)
                            : manifestUris(source.manifest);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        if (uris.isEmpty()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "No images to send");
        }
        System.err.printf(
                Locale.ROOT,
                "loadgen: %d requests at %.2f/s to %s (%s), %d distinct images%n",
                settings.requests(),
                rate,
                topics.inputTopic,
                format,
                uris.size());
        LatencyReport report = new LoadGenerator(settings).run(uris);
        if (json) {
            System.out.println(new ObjectMapper().writeValueAsString(report.toMap()));
        } else {
            print(report);
        }
        if (plot != null) {
            LatencyPlot.write(
                    report,
                    String.format(
                            Locale.ROOT,
                            "%d requests at %.2f/s: latency from send to read_committed receipt",
                            report.sent(),
                            rate),
                    plot);
            System.err.println("plot: " + plot);
        }
        return report.complete() ? 0 : 1;
    }

    private static void print(LatencyReport r) {
        System.out.printf(
                Locale.ROOT,
                "sent %d in %.1f s; answered %d (predictions %d, dead letters %d); missing %d; duplicates %d%n",
                r.sent(),
                r.sendSeconds(),
                r.answered(),
                r.predictions(),
                r.deadLetters(),
                r.missing().size(),
                r.duplicates());
        System.out.printf(
                Locale.ROOT,
                "latency ms (send to read_committed receipt): p50 %.1f  p90 %.1f  p99 %.1f  max %.1f%n",
                r.percentileMs(0.50),
                r.percentileMs(0.90),
                r.percentileMs(0.99),
                r.maxMs());
        if (!r.missing().isEmpty()) {
            System.out.println(
                    "missing: "
                            + String.join(
                                    ", ", r.missing().subList(0, Math.min(10, r.missing().size())))
                            + (r.missing().size() > 10 ? ", …" : ""));
        }
    }

    static List<String> folderUris(Path dir) throws Exception {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("--images: not a folder: " + dir);
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(Files::isRegularFile)
                    .filter(p -> !p.getFileName().toString().startsWith("."))
                    .filter(p -> !p.getFileName().toString().equals(LabelsCsv.FILE_NAME))
                    .sorted()
                    .map(p -> p.toAbsolutePath().normalize().toUri().toString())
                    .toList();
        }
    }

    /** The manifest format of {@code produce}: a URI or path, or {@code id,uri}, a line. */
    static List<String> manifestUris(Path manifest) throws Exception {
        if (!Files.isRegularFile(manifest)) {
            throw new IllegalArgumentException("--manifest: no such file: " + manifest);
        }
        return ProduceCommand.manifestRequests(manifest).stream().map(r -> r[1]).toList();
    }
}
