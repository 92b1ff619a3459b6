package io.inceptionpipeline.pipeline.archive;

import io.inceptionpipeline.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/** What the archive tests share: running the command in this JVM, and counting its answers. */
public final class ArchiveRuns {

    private ArchiveRuns() {}

    /** Runs the command, returning its exit code and what it wrote to stderr. */
    public static Map.Entry<Integer, String> run(String... args) {
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        int code;
        try {
            code = Main.run(args);
        } finally {
            System.setErr(err);
        }
        String text = captured.toString(StandardCharsets.UTF_8);
        err.print(text);
        return Map.entry(code, text);
    }

    /** Every answer's id, predictions and dead letters, counted. */
    public static Map<String, Long> answers(ArchiveOutput output) throws Exception {
        List<String> ids = new ArrayList<>();
        output.readPredictions().forEach(p -> ids.add(p.getRequestId()));
        output.readDeadLetters().forEach(f -> ids.add(ArchiveOutput.idOf(f)));
        return ids.stream()
                .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
    }
}
