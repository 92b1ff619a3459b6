package io.inceptionpipeline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * Every command's {@code --help} renders cleanly: picocli formats descriptions with {@link
 * String#format}, so a bare {@code %} ({@code "98% of them"} reads as the conversion {@code "% o"})
 * makes it print {@code [picocli WARN] Could not format ...} on standard error and the description
 * unformatted. The usage help of the top command and of every subcommand registered in {@link
 * Main}, nested ones included, is rendered here with picocli's tracer writing into a buffer.
 */
class UsageHelpTest {

    /** A format specifier left in rendered text ({@code %n}, {@code %s}, {@code %d} ...). */
    private static final Pattern UNFORMATTED = Pattern.compile("%[-#+0,(]*\\d*(\\.\\d+)?[a-zA-Z]");

    @Test
    void everyCommandsUsageHelpRendersWithoutPicocliWarnings() {
        Map<String, CommandLine> commands = new LinkedHashMap<>();
        collect(new CommandLine(new Main()), commands);
        assertThat(commands.keySet())
                .as("the subcommands registered in Main")
                .contains(
                        "inception-pipeline score",
                        "inception-pipeline run",
                        "inception-pipeline evaluate",
                        "inception-pipeline export",
                        "inception-pipeline sql");

        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, CommandLine> command : commands.entrySet()) {
            ByteArrayOutputStream traced = new ByteArrayOutputStream();
            String usage;
            PrintStream err = System.err;
            // picocli's tracer writes to the System.err of the moment it is asked for
            System.setErr(new PrintStream(traced, true, StandardCharsets.UTF_8));
            try {
                usage = command.getValue().getUsageMessage(CommandLine.Help.Ansi.OFF);
            } finally {
                System.setErr(err);
            }
            String warnings = traced.toString(StandardCharsets.UTF_8);
            if (!warnings.isBlank()) {
                problems.add(command.getKey() + ": picocli wrote: " + warnings.strip());
            }
            Matcher unformatted = UNFORMATTED.matcher(usage);
            if (unformatted.find()) {
                problems.add(
                        command.getKey()
                                + ": unformatted '"
                                + unformatted.group()
                                + "' in: "
                                + line(usage, unformatted.start()));
            }
        }
        assertThat(problems).as("usage help problems").isEmpty();
    }

    /** The rendering above does see picocli's warnings: a description with a bare '%'. */
    @Test
    void aBarePercentIsCaught() {
        @CommandLine.Command(name = "bad", description = "agrees on 98% of them")
        class Bad {}
        ByteArrayOutputStream traced = new ByteArrayOutputStream();
        PrintStream err = System.err;
        System.setErr(new PrintStream(traced, true, StandardCharsets.UTF_8));
        try {
            new CommandLine(new Bad()).getUsageMessage(CommandLine.Help.Ansi.OFF);
        } finally {
            System.setErr(err);
        }
        assertThat(traced.toString(StandardCharsets.UTF_8)).contains("Could not format");
    }

    private static void collect(CommandLine command, Map<String, CommandLine> into) {
        into.put(command.getCommandSpec().qualifiedName(), command);
        for (CommandLine sub : command.getSubcommands().values()) {
            String name = sub.getCommandSpec().qualifiedName();
            if (!into.containsKey(name)) {
                collect(sub, into);
            }
        }
    }

    private static String line(String text, int at) {
        int start = text.lastIndexOf('\n', at) + 1;
        int end = text.indexOf('\n', at);
        return text.substring(start, end < 0 ? text.length() : end).strip();
    }
}
