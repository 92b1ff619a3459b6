package io.inceptionpipeline.it.cluster;

import java.io.File;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/** Class paths for the processes a test starts, taken from the test's own class path. */
final class ProcessClasspath {

    private ProcessClasspath() {}

    /** Everything the test sees: for processes that run this project's code (the broker). */
    static String full() {
        return String.join(File.pathSeparator, entries());
    }

    /**
     * What a Flink distribution's {@code lib/} holds in this test: Flink's runtime, web submission,
     * clients and the Prometheus reporter, plus DJL and JNA (parent-first on a cluster; see
     * pipeline/pom.xml's flink-lib). Left out: this project's classes and what the job jar brings
     * itself (the Kafka connector, Kafka clients, Avro), as on a real cluster. (Flink's
     * distribution also holds the base and datagen connectors; so does this.)
     */
    static String flinkLib() {
        Predicate<String> jobJarOwns =
                name ->
                        name.startsWith("inception-")
                                || name.startsWith("flink-connector-kafka")
                                || name.startsWith("kafka")
                                || name.startsWith("avro")
                                || name.startsWith("flink-avro")
                                || name.startsWith("picocli");
        return entries().stream()
                .filter(entry -> entry.endsWith(".jar"))
                .filter(entry -> !jobJarOwns.test(Path.of(entry).getFileName().toString()))
                .collect(Collectors.joining(File.pathSeparator));
    }

    private static List<String> entries() {
        String classpath =
                System.getProperty(
                        "surefire.test.class.path", System.getProperty("java.class.path"));
        return Arrays.stream(classpath.split(File.pathSeparator))
                .filter(entry -> !entry.isBlank())
                .toList();
    }

    static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
