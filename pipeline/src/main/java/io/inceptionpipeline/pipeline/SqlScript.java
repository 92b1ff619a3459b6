package io.inceptionpipeline.pipeline;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A file of Flink SQL statements: split on {@code ;} outside string literals ({@code '...'} with
 * {@code ''} escapes), quoted identifiers ({@code `...`}, {@code "..."}) and comments ({@code --}
 * to the end of the line, {@code /* ... *}{@code /}); {@code ${name}} placeholders replaced by
 * their values.
 */
public final class SqlScript {

    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_.-]*)}");

    private SqlScript() {}

    /** The statements of {@code script}, without their {@code ;}, trimmed, empty ones dropped. */
    public static List<String> split(String script) {
        List<String> statements = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        int i = 0;
        int n = script.length();
        while (i < n) {
            char c = script.charAt(i);
            if (c == '\'' || c == '`' || c == '"') {
                int end = closingQuote(script, i);
                current.append(script, i, end);
                i = end;
            } else if (c == '-' && i + 1 < n && script.charAt(i + 1) == '-') {
                int end = script.indexOf('\n', i);
                i = end < 0 ? n : end; // the comment is dropped, its line break kept
            } else if (c == '/' && i + 1 < n && script.charAt(i + 1) == '*') {
                int end = script.indexOf("*/", i + 2);
                if (end < 0) {
                    throw new IllegalArgumentException(
                            "Unclosed /* comment starting at character " + i);
                }
                current.append(' ');
                i = end + 2;
            } else if (c == ';') {
                add(statements, current);
                i++;
            } else {
                current.append(c);
                i++;
            }
        }
        add(statements, current);
        return statements;
    }

    /** Index after the quote that closes the one at {@code start}; doubled quotes escape. */
    private static int closingQuote(String script, int start) {
        char quote = script.charAt(start);
        int i = start + 1;
        while (i < script.length()) {
            if (script.charAt(i) == quote) {
                if (i + 1 < script.length() && script.charAt(i + 1) == quote) {
                    i += 2;
                    continue;
                }
                return i + 1;
            }
            i++;
        }
        throw new IllegalArgumentException(
                "Unclosed " + quote + " quote starting at character " + start);
    }

    private static void add(List<String> statements, StringBuilder current) {
        String statement = current.toString().strip();
        if (!statement.isEmpty()) {
            statements.add(statement);
        }
        current.setLength(0);
    }

    /**
     * {@code script} with every {@code ${name}} replaced by {@code values.get(name)}; a name
     * without a value fails, naming the ones there are (a typo must not reach the planner as text).
     */
    public static String substitute(String script, Map<String, String> values) {
        Matcher m = PLACEHOLDER.matcher(script);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String value = values.get(m.group(1));
            if (value == null) {
                throw new IllegalArgumentException(
                        "${"
                                + m.group(1)
                                + "} has no value; defined: "
                                + (values.isEmpty()
                                        ? "none"
                                        : String.join(", ", new TreeSet<>(values.keySet()))));
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return out.toString();
    }
}
