package io.inceptionpipeline.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.inceptionpipeline.it.kafka.KafkaUnderTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/sql.md's full example from the shaded jar against the Kafka broker {@code -Dit.kafka}
 * selects (the in-JVM KRaft broker, or {@code apache/kafka} through Testcontainers) given with
 * {@code --bootstrap-servers}: the Fashion-MNIST samples published as Avro requests come back as
 * 200 predictions and one error row.
 */
class SqlKafkaJarTest {

    static final Path PAGE = Path.of(System.getProperty("repo.root", ".."), "docs", "sql.md");

    @TempDir Path work;

    @Test
    void theDocumentedExampleRunsAgainstTheBrokerUnderTest() throws Exception {
        String page = Files.readString(PAGE);
        int section = page.indexOf("\n## The full example\n");
        assertThat(section).isPositive();
        Matcher sql = Pattern.compile("```sql\n(.*?)```", Pattern.DOTALL).matcher(page);
        assertThat(sql.find(section)).isTrue();
        Path script = work.resolve("query.sql");
        Files.writeString(script, sql.group(1));

        try (KafkaUnderTest kafka = KafkaUnderTest.start(work)) {
            kafka.createTopics(2, "image-requests", "image-predictions");
            JarProcess.Output out =
                    JarProcess.run(
                            work,
                            List.of("-Xmx3g"),
                            Map.of(),
                            "sql",
                            "--file",
                            script.toString(),
                            "--bootstrap-servers",
                            kafka.bootstrapServers(),
                            "--publish-samples",
                            "--avro");
            assertThat(out.exitCode()).as(out.stderr()).isZero();
            List<String> rows = out.stdout().lines().filter(l -> l.startsWith("| +I |")).toList();
            assertThat(rows).hasSize(201);
            assertThat(rows.stream().filter(r -> r.contains("PATH_NOT_ALLOWED"))).hasSize(1);
            // | +I | request_key | class_index | label | score | error_code | error |
            List<String[]> cells =
                    rows.stream().map(r -> r.substring(1).split("\\s*\\|\\s*")).toList();
            assertThat(cells.stream().filter(c -> c[5].equals("<NULL>") && c[2].matches("\\d")))
                    .hasSize(200);
        }
    }
}
