package io.inceptionpipeline.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sql} from the shaded jar: the planner (flink-table-planner-loader) and the {@code
 * inception} model provider are found inside it, ML_PREDICT scores a file and answers a missing one
 * with its error code; a model option the provider does not know stops the script with Flink's
 * message and exit code 1.
 */
class SqlJarTest {

    static final Path FASHION =
            Path.of(System.getProperty("fashion.samples.dir", "../samples/fashion-mnist"));

    @TempDir static Path work;

    @BeforeAll
    static void checkJar() {
        assertThat(JarProcess.JAR).as("built by `mvn package` before this module's tests").exists();
    }

    static JarProcess.Output sql(String script) throws Exception {
        Path file = work.resolve("query-" + System.nanoTime() + ".sql");
        Files.writeString(file, script);
        return JarProcess.run(
                work,
                List.of("-Xmx2g"),
                Map.of(),
                "sql",
                "--file",
                file.toString(),
                "--var",
                "images=" + FASHION.toRealPath().resolve("images"));
    }

    static final String VIEW =
            """
            SET 'table.exec.async-ml-predict.max-concurrent-operations' = '4';
            CREATE TEMPORARY VIEW uploads (id, uri) AS VALUES
              ('boot', 'file://${images}/test-00000.png'),
              ('missing', 'file://${images}/no-such-image.png');
            """;

    @Test
    void mlPredictRunsFromTheJar() throws Exception {
        JarProcess.Output out =
                sql(
                        VIEW
                                + """
                        CREATE MODEL fashion
                          INPUT (uri STRING)
                          OUTPUT (class_index INT, label STRING, error_code STRING)
                          WITH ('provider' = 'inception', 'model' = 'inception_resnet_fmnist',
                                'allowed-root' = '${images}', 'batch-size' = '2');
                        SELECT id, class_index, label, error_code
                        FROM ML_PREDICT(TABLE uploads, MODEL fashion, DESCRIPTOR(uri));
                        """);
        assertThat(out.exitCode()).as(out.stderr()).isZero();
        assertThat(out.stdout())
                .containsPattern("\\| +boot \\| +9 \\| +Ankle boot \\| +<NULL> \\|")
                .containsPattern("\\| +missing \\| +<NULL> \\| +<NULL> \\| +NOT_FOUND \\|");
    }

    @Test
    void anUnknownModelOptionStopsTheScriptWithFlinksMessage() throws Exception {
        JarProcess.Output out =
                sql(
                        VIEW
                                + """
                        CREATE MODEL fashion INPUT (uri STRING) OUTPUT (label STRING)
                          WITH ('provider' = 'inception', 'batch_size' = '8');
                        SELECT * FROM ML_PREDICT(TABLE uploads, MODEL fashion, DESCRIPTOR(uri));
                        """);
        assertThat(out.exitCode()).isEqualTo(1);
        assertThat(out.stderr())
                .contains("sql: statement 4 failed")
                .contains("Unsupported options found for 'inception'")
                .contains("batch_size");
    }
}
