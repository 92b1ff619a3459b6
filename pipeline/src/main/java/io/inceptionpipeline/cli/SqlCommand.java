package io.inceptionpipeline.cli;

import io.inceptionpipeline.pipeline.EmbeddedKafka;
import io.inceptionpipeline.pipeline.JobOptions;
import io.inceptionpipeline.pipeline.RequestPublisher;
import io.inceptionpipeline.pipeline.SampleImages;
import io.inceptionpipeline.pipeline.SqlScript;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.ResultKind;
import org.apache.flink.table.api.TableResult;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code sql}: runs a file of Flink SQL statements on Flink's MiniCluster in this JVM, where the
 * {@code inception} model provider ({@code CREATE MODEL ... WITH ('provider' = 'inception')},
 * {@code ML_PREDICT}) is on the class path; optionally with {@code local}'s embedded Kafka broker
 * and the images it publishes as requests. See docs/sql.md.
 */
@Command(
        name = "sql",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Runs the Flink SQL statements in FILE (separated by ';') on Flink's MiniCluster in this JVM,",
            "one after the other: INSERTs run to their end (use bounded sources), queries print their rows.",
            "${name} in the file is replaced: ${bootstrap} (the broker), ${images} (the published folder),",
            "and every --var. With --embedded-kafka a Kafka broker (KRaft) runs for the script's lifetime."
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:every statement succeeded",
            "1:a statement failed",
            "2:invalid command line"
        })
final class SqlCommand implements Callable<Integer> {

    @Option(names = "--file", required = true, paramLabel = "FILE", description = "SQL script.")
    Path file;

    @Option(
            names = "--embedded-kafka",
            description = "Start local's embedded Kafka broker; its address is ${bootstrap}.")
    boolean embeddedKafka;

    @Option(
            names = "--bootstrap-servers",
            paramLabel = "HOSTS",
            description = "An existing Kafka cluster: its address is ${bootstrap}.")
    String bootstrapServers;

    @Option(
            names = "--topic",
            paramLabel = "NAME",
            description = "Create this topic on the embedded broker first (repeatable).")
    List<String> topics = List.of();

    @Option(
            names = "--publish",
            paramLabel = "DIR",
            description =
                    "Publish the images in DIR (recursively) as requests first; ${images} is DIR.")
    Path publish;

    @Option(
            names = "--publish-samples",
            description =
                    "Publish the bundled Fashion-MNIST samples as requests first; ${images} is their folder.")
    boolean publishSamples;

    @Option(
            names = "--publish-topic",
            paramLabel = "NAME",
            defaultValue = JobOptions.DEFAULT_INPUT_TOPIC,
            description = "Topic the requests go to. Default: ${DEFAULT-VALUE}.")
    String publishTopic;

    @Option(
            names = "--avro",
            description =
                    "Publish Avro single-object ScoringRequests (default: plain-text URIs). Keys are the request ids: the images' paths under the folder.")
    boolean avro;

    @Option(
            names = "--count",
            defaultValue = "0",
            description = "Requests to publish, cycling through the images (0: each image once).")
    int count;

    @Option(
            names = "--var",
            paramLabel = "NAME=VALUE",
            description = "Replace ${NAME} in the script by VALUE (repeatable).")
    Map<String, String> vars = new LinkedHashMap<>();

    @Option(
            names = "--parallelism",
            defaultValue = "1",
            description = "Default parallelism of the statements' jobs. Default: ${DEFAULT-VALUE}.")
    int parallelism;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (embeddedKafka && bootstrapServers != null) {
            throw usage("--embedded-kafka and --bootstrap-servers exclude each other");
        }
        if (!topics.isEmpty() && !embeddedKafka) {
            throw usage("--topic creates topics on the embedded broker: add --embedded-kafka");
        }
        if (publish != null && publishSamples) {
            throw usage("--publish and --publish-samples exclude each other");
        }
        boolean publishing = publish != null || publishSamples;
        if (publishing && !embeddedKafka && bootstrapServers == null) {
            throw usage("Publishing requests needs --embedded-kafka or --bootstrap-servers");
        }
        if (parallelism < 1 || count < 0) {
            throw usage("--parallelism must be >= 1 and --count not negative");
        }
        List<String> statements;
        try {
            statements = SqlScript.split(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            throw usage(file + ": " + e.getMessage());
        }
        Path work = Files.createTempDirectory("inception-sql-");
        EmbeddedKafka kafka = null;
        try {
            Map<String, String> values = new LinkedHashMap<>(vars);
            if (embeddedKafka) {
                kafka = EmbeddedKafka.start(work.resolve("kafka"));
                for (String topic : topics) {
                    kafka.createTopics(Math.max(2, parallelism), topic);
                }
                bootstrapServers = kafka.bootstrapServers();
            }
            if (bootstrapServers != null) {
                values.putIfAbsent("bootstrap", bootstrapServers);
            }
            if (publishing) {
                Path root = publish;
                if (root == null) {
                    root = work.resolve("samples");
                    SampleImages.extract(SampleImages.FASHION_MNIST, root);
                }
                root = root.toAbsolutePath().toRealPath();
                values.putIfAbsent("images", root.toString());
                publishRequests(root);
            }
            return run(statements, values);
        } finally {
            if (kafka != null) {
                kafka.close();
            }
            LocalCommand.deleteQuietly(work);
        }
    }

    /** Every image under {@code root} (cycled to --count) as a request keyed by its path. */
    private void publishRequests(Path root) throws Exception {
        List<Path> files = LocalCommand.listImages(root);
        if (files.isEmpty()) {
            throw usage("No files under " + root);
        }
        int requests = count > 0 ? count : files.size();
        try (RequestPublisher publisher =
                new RequestPublisher(bootstrapServers, publishTopic, avro, Map.of())) {
            for (int i = 0; i < requests; i++) {
                Path image = files.get(i % files.size());
                String id = root.relativize(image).toString();
                if (i >= files.size()) {
                    id += "#" + i / files.size();
                }
                publisher.publish(id, image.toUri().toString());
            }
            publisher.flush();
        }
        System.err.printf(
                Locale.ROOT,
                "sql: published %d %s requests over %d images in %s to %s%n",
                requests,
                avro ? "Avro" : "plain-text",
                files.size(),
                root,
                publishTopic);
    }

    /**
     * Runs the statements on one MiniCluster that lives as long as the script (a per-job cluster
     * would be torn down under a query's result fetcher).
     */
    private int run(List<String> statements, Map<String, String> values) throws Exception {
        Configuration conf = new Configuration();
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        conf.set(RestOptions.BIND_PORT, "0");
        MiniClusterConfiguration cluster =
                new MiniClusterConfiguration.Builder()
                        .setConfiguration(conf)
                        .setNumTaskManagers(1)
                        .setNumSlotsPerTaskManager(parallelism)
                        .build();
        try (MiniCluster flink = new MiniCluster(cluster)) {
            flink.start();
            URI rest = flink.getRestAddress().get();
            System.err.printf("sql: Flink's web UI: %s%n", rest);
            StreamExecutionEnvironment env =
                    StreamExecutionEnvironment.createRemoteEnvironment(
                            rest.getHost(), rest.getPort(), conf);
            env.setParallelism(parallelism);
            return run(statements, values, StreamTableEnvironment.create(env));
        }
    }

    private int run(
            List<String> statements, Map<String, String> values, StreamTableEnvironment tables) {
        for (int i = 0; i < statements.size(); i++) {
            String statement;
            try {
                statement = SqlScript.substitute(statements.get(i), values);
            } catch (IllegalArgumentException e) {
                System.err.printf("sql: statement %d: %s%n", i + 1, e.getMessage());
                return 1;
            }
            long started = System.nanoTime();
            try {
                execute(tables, statement);
            } catch (Exception e) {
                System.err.printf(
                        "sql: statement %d failed: %s%n%s%n",
                        i + 1, firstLine(statement), describe(e));
                return 1;
            }
            System.err.printf(
                    Locale.ROOT,
                    "sql: statement %d done in %.1f s: %s%n",
                    i + 1,
                    (System.nanoTime() - started) / 1e9,
                    firstLine(statement));
        }
        return 0;
    }

    /** Runs one statement: an INSERT to its end, a query's rows or a SHOW's table printed. */
    private static void execute(StreamTableEnvironment tables, String statement) throws Exception {
        Matcher set = SET.matcher(statement);
        if (set.matches()) { // the SQL client's SET, which executeSql does not take
            tables.getConfig().set(set.group(1), set.group(2));
            return;
        }
        TableResult result = tables.executeSql(statement);
        if (isInsert(statement)) {
            result.await();
        } else if (result.getResultKind() == ResultKind.SUCCESS_WITH_CONTENT) {
            result.print();
        }
    }

    /** {@code SET 'key' = 'value'}: a session option for the statements after it. */
    static final Pattern SET =
            Pattern.compile("SET\\s+'([^']+)'\\s*=\\s*'([^']*)'", Pattern.CASE_INSENSITIVE);

    static boolean isInsert(String statement) {
        String head = statement.stripLeading().toUpperCase(Locale.ROOT);
        return head.startsWith("INSERT") || head.startsWith("EXECUTE");
    }

    private static String firstLine(String statement) {
        String line = statement.lines().findFirst().orElse("");
        return line.length() > 100 ? line.substring(0, 100) + "..." : line;
    }

    /** The chain of messages: the planner's own message is often on a cause. */
    private static String describe(Throwable e) {
        StringBuilder out = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            out.append(out.length() == 0 ? "  " : "  caused by: ")
                    .append(t.getClass().getSimpleName())
                    .append(": ")
                    .append(t.getMessage())
                    .append('\n');
            if (t.getCause() == t) {
                break;
            }
        }
        return out.toString().stripTrailing();
    }

    private CommandLine.ParameterException usage(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }
}
