package io.inceptionpipeline.cli;

import io.inceptionpipeline.pipeline.JobOptions;
import io.inceptionpipeline.pipeline.RequestPublisher;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code produce}: publishes scoring requests for image files or a manifest. */
@Command(
        name = "produce",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Publishes one request per image: every file under the given folders (recursively, name",
            "order) as a file:// URI, and every line of --manifest (a URI or path, or 'id,uri').",
            "Requests are Avro single-object ScoringRequests (--format avro) or plain-text URIs."
        })
final class ProduceCommand implements Callable<Integer> {

    @Option(
            names = "--bootstrap-servers",
            required = true,
            description = "Kafka bootstrap servers.")
    String bootstrapServers;

    @Option(
            names = "--topic",
            defaultValue = JobOptions.DEFAULT_INPUT_TOPIC,
            description = "Topic. Default: ${DEFAULT-VALUE}.")
    String topic;

    @Option(
            names = "--format",
            defaultValue = "avro",
            description = "avro or text. Default: ${DEFAULT-VALUE}.")
    String format;

    @Option(
            names = "--manifest",
            paramLabel = "FILE",
            description = "One request a line: a URI or path, or id,uri.")
    Path manifest;

    @Option(
            names = "--repeat",
            defaultValue = "1",
            description =
                    "Publish the whole list this many times (load tests). Default: ${DEFAULT-VALUE}.")
    int repeat;

    @Option(
            names = "--kafka-property",
            paramLabel = "KEY=VALUE",
            description = "A Kafka producer setting (repeatable).")
    Map<String, String> kafkaProperties = new LinkedHashMap<>();

    @Parameters(arity = "0..*", paramLabel = "DIR", description = "Folders of images.")
    List<Path> folders = new ArrayList<>();

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (!format.equals("avro") && !format.equals("text")) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(), "--format must be avro or text");
        }
        if (folders.isEmpty() && manifest == null) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(), "Give folders of images or --manifest");
        }
        if (repeat < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--repeat must be >= 1");
        }
        List<String[]> requests = new ArrayList<>(); // {id or null, uri}
        for (Path folder : folders) {
            try (Stream<Path> walk = Files.walk(folder)) {
                walk.filter(Files::isRegularFile)
                        .filter(p -> !p.getFileName().toString().startsWith("."))
                        .sorted()
                        .forEach(
                                p ->
                                        requests.add(
                                                new String[] {
                                                    null,
                                                    p.toAbsolutePath()
                                                            .normalize()
                                                            .toUri()
                                                            .toString()
                                                }));
            }
        }
        if (manifest != null) {
            requests.addAll(manifestRequests(manifest));
        }
        int total = requests.size() * repeat;
        long started = System.nanoTime();
        try (RequestPublisher publisher =
                new RequestPublisher(
                        bootstrapServers, topic, format.equals("avro"), kafkaProperties)) {
            int sent = 0;
            for (int round = 0; round < repeat; round++) {
                for (String[] request : requests) {
                    String id =
                            request[0] != null && repeat == 1
                                    ? request[0]
                                    : UUID.randomUUID().toString();
                    publisher.publish(id, request[1]);
                    sent++;
                    if (sent % 100 == 0 || sent == total) {
                        progress(sent, total, started);
                    }
                }
            }
            publisher.flush();
        }
        System.err.println();
        System.out.printf(Locale.ROOT, "published %d requests to %s%n", total, topic);
        return 0;
    }

    private static void progress(int done, int total, long startedNanos) {
        int width = 30;
        int filled = total == 0 ? width : (int) ((long) done * width / total);
        double seconds = (System.nanoTime() - startedNanos) / 1e9;
        System.err.printf(
                Locale.ROOT,
                "\r[%s%s] %d/%d %.0f/s",
                "#".repeat(filled),
                ".".repeat(width - filled),
                done,
                total,
                seconds > 0 ? done / seconds : 0.0);
    }

    /**
     * The requests of a manifest, {@code {id or null, uri}} each: one per line, a URI or path (a
     * path becomes a {@code file://} URI) or {@code id,uri}; blank lines and {@code #} comments
     * skipped. Also read by {@code loadgen}.
     */
    static List<String[]> manifestRequests(Path manifest) throws IOException {
        List<String[]> requests = new ArrayList<>();
        for (String line : Files.readAllLines(manifest, StandardCharsets.UTF_8)) {
            String entry = line.strip();
            if (entry.isEmpty() || entry.startsWith("#")) {
                continue;
            }
            int comma = entry.indexOf(',');
            boolean hasId = comma > 0 && !entry.substring(0, comma).contains(":");
            String id = hasId ? entry.substring(0, comma).strip() : null;
            String uri = hasId ? entry.substring(comma + 1).strip() : entry;
            if (!uri.contains(":")) {
                uri = Path.of(uri).toAbsolutePath().normalize().toUri().toString();
            }
            requests.add(new String[] {id, uri});
        }
        return requests;
    }
}
