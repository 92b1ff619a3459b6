package io.inceptionpipeline.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The shaded jar run as a user runs it, {@code java [options] -jar inception-pipeline.jar ...} in a
 * JVM of its own, offline, with stdout and stderr kept in files under the test's folder.
 */
final class JarProcess {

    static final Path JAR =
            Path.of(
                    System.getProperty(
                            "pipeline.jar", "../pipeline/target/inception-pipeline.jar"));

    /** What a run printed and returned. */
    record Output(int exitCode, String stdout, String stderr) {}

    private JarProcess() {}

    /**
     * Runs the jar with {@code jvmOptions} and {@code args}; {@code environment} entries are set,
     * or removed where the value is null. Fails the test if it runs longer than 5 minutes.
     */
    static Output run(
            Path work, List<String> jvmOptions, Map<String, String> environment, String... args)
            throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Dai.djl.offline=true");
        command.addAll(jvmOptions);
        command.add("-jar");
        command.add(JAR.toString());
        command.addAll(Arrays.asList(args));
        Path stdout = Files.createTempFile(work, "stdout", ".txt");
        Path stderr = Files.createTempFile(work, "stderr", ".txt");
        ProcessBuilder builder =
                new ProcessBuilder(command)
                        .redirectOutput(stdout.toFile())
                        .redirectError(stderr.toFile());
        environment.forEach(
                (name, value) -> {
                    if (value == null) {
                        builder.environment().remove(name);
                    } else {
                        builder.environment().put(name, value);
                    }
                });
        Process process = builder.start();
        assertThat(process.waitFor(5, TimeUnit.MINUTES)).as("finished within 5 minutes").isTrue();
        return new Output(
                process.exitValue(),
                Files.readString(stdout, StandardCharsets.UTF_8),
                Files.readString(stderr, StandardCharsets.UTF_8));
    }
}
