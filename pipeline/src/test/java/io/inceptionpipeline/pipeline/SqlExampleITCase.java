package io.inceptionpipeline.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.inceptionpipeline.cli.Main;
import io.inceptionpipeline.schemas.ClassScore;
import io.inceptionpipeline.schemas.Prediction;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/sql.md's example, run as the page says (its SQL block saved as a file, its command line):
 * ML_PREDICT with the {@code inception} provider over the bundled Fashion-MNIST samples as Avro
 * requests in Kafka answers every request, the one the URI policy refuses with an error row, and
 * each image with the class and score the DataStream job gives the same image.
 */
class SqlExampleITCase {

    static final Path PAGE = Path.of("..", "docs", "sql.md");

    @TempDir Path work;

    @Test
    void theDocumentedExampleAnswersAsTheDataStreamJobDoes() throws Exception {
        String page = Files.readString(PAGE);
        Path script = work.resolve("query.sql");
        Files.writeString(script, block(page, "sql"));
        List<String> args = new ArrayList<>(command(page));
        args.set(args.indexOf("query.sql"), script.toString());

        String printed = runCapturingStdout(args);
        Map<String, Row> sql = rows(printed);

        Path images = work.resolve("samples");
        List<Path> files = SampleImages.extract(SampleImages.FASHION_MNIST, images);
        files = files.stream().filter(f -> !f.endsWith(LabelsCsv.FILE_NAME)).toList();
        assertThat(sql).hasSize(files.size() + 1);
        Row refused = sql.get("not-allowed");
        assertThat(refused.errorCode()).isEqualTo("PATH_NOT_ALLOWED");
        assertThat(refused.error()).startsWith("FETCH/PATH_NOT_ALLOWED: ");
        assertThat(refused.classIndex()).isNull();

        Map<String, Prediction> job = dataStreamJob(images, files);
        assertThat(job).hasSize(files.size());
        for (Map.Entry<String, Prediction> e : job.entrySet()) {
            Row row = sql.get(e.getKey());
            ClassScore top = e.getValue().getTopK().get(0);
            assertThat(row).as(e.getKey()).isNotNull();
            assertThat(row.errorCode()).as(e.getKey()).isNull();
            assertThat(row.classIndex()).as(e.getKey()).isEqualTo(top.getIndex());
            assertThat(row.label()).as(e.getKey()).isEqualTo(top.getLabel());
            assertThat(row.score()).as(e.getKey()).isCloseTo(top.getScore(), Offset.offset(1e-5f));
        }
    }

    /**
     * The same images, published the way {@code sql --publish-samples --avro} does, scored by the
     * job.
     */
    private Map<String, Prediction> dataStreamJob(Path images, List<Path> files) throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(work.resolve("kafka"))) {
            kafka.createTopics(2, "ds-in", "ds-out", "ds-dead");
            try (RequestPublisher publisher =
                    new RequestPublisher(kafka.bootstrapServers(), "ds-in", true, Map.of())) {
                for (Path file : files) {
                    publisher.publish(
                            images.toRealPath().relativize(file.toRealPath()).toString(),
                            file.toUri().toString());
                }
                publisher.flush();
            }
            JobOptions options =
                    JobOptions.builder()
                            .bootstrapServers(kafka.bootstrapServers())
                            .topics("ds-in", "ds-out", "ds-dead")
                            .startingOffsets("earliest")
                            .boundedInput(true)
                            .allowedRoots(List.of(images.toString()))
                            .model("inception_resnet_fmnist", null)
                            .batching(32, 100)
                            .embeddings(false)
                            .exactlyOnce(false)
                            .build();
            JobRun.toEnd(options, "sql-example-datastream");
            RunSummary summary =
                    RunSummary.read(kafka.bootstrapServers(), "ds-out", "ds-dead", Map.of());
            assertThat(summary.failures()).isEmpty();
            Map<String, Prediction> byId = new HashMap<>();
            summary.predictions().forEach(p -> byId.put(p.getRequestId(), p));
            return byId;
        }
    }

    /** One row the example's last query printed. */
    record Row(Integer classIndex, String label, Float score, String errorCode, String error) {}

    /**
     * The example's final query's rows as Flink's tableau format prints them: {@code | +I |
     * request_key | class_index | label | score | error_code | error |}.
     */
    static Map<String, Row> rows(String printed) {
        Map<String, Row> rows = new HashMap<>();
        for (String line : printed.lines().toList()) {
            if (!line.startsWith("| +I |")) {
                continue;
            }
            String[] cells = line.substring(1, line.length() - 1).split("\\|");
            String[] v = Arrays.stream(cells).map(String::strip).toArray(String[]::new);
            rows.put(
                    v[1],
                    new Row(
                            nullable(v[2]) == null ? null : Integer.valueOf(v[2]),
                            nullable(v[3]),
                            nullable(v[4]) == null ? null : Float.valueOf(v[4]),
                            nullable(v[5]),
                            nullable(v[6])));
        }
        return rows;
    }

    private static String nullable(String cell) {
        return cell.equals("<NULL>") ? null : cell;
    }

    /** The first fenced block of {@code language} under the page's "The full example" heading. */
    static String block(String page, String language) {
        int section = page.indexOf("\n## The full example\n");
        assertThat(section).as("a 'The full example' section in %s", PAGE).isPositive();
        Matcher m =
                Pattern.compile("```" + language + "\\n(.*?)```", Pattern.DOTALL)
                        .matcher(page.substring(section));
        assertThat(m.find()).as("a ```%s block in %s", language, PAGE).isTrue();
        return m.group(1);
    }

    /**
     * The arguments after {@code jar} of the page's first {@code ... inception-pipeline.jar sql}
     * line.
     */
    static List<String> command(String page) {
        String shell = block(page, "shell").replace("\\\n", " ");
        String line =
                shell.lines()
                        .filter(l -> l.contains("inception-pipeline.jar sql "))
                        .findFirst()
                        .orElseThrow();
        String args = line.substring(line.indexOf("inception-pipeline.jar") + 23).strip();
        return List.of(args.split("\\s+"));
    }

    private static String runCapturingStdout(List<String> args) {
        PrintStream stdout = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        int code;
        try {
            System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
            code = Main.run(args.toArray(String[]::new));
        } finally {
            System.setOut(stdout);
        }
        String printed = captured.toString(StandardCharsets.UTF_8);
        stdout.println(printed);
        assertThat(code).as("sql's exit code").isZero();
        return printed;
    }
}
