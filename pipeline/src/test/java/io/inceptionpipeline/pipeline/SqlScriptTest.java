package io.inceptionpipeline.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class SqlScriptTest {

    @Test
    void splitsOnSemicolonsOutsideQuotesAndComments() {
        String script =
                """
                -- a comment; with a semicolon and a 'quote
                CREATE TABLE t (`a;b` STRING) WITH ('k' = 'v;w', 'it''s' = "x;y");
                /* block; comment */ INSERT INTO t VALUES ('a;');

                SELECT 1 -- trailing; comment
                """;
        assertThat(SqlScript.split(script))
                .containsExactly(
                        "CREATE TABLE t (`a;b` STRING) WITH ('k' = 'v;w', 'it''s' = \"x;y\")",
                        "INSERT INTO t VALUES ('a;')",
                        "SELECT 1");
    }

    @Test
    void anUnclosedQuoteOrCommentIsAnError() {
        assertThatThrownBy(() -> SqlScript.split("SELECT 'a; SELECT 2;"))
                .hasMessageContaining("Unclosed ' quote starting at character 7");
        assertThatThrownBy(() -> SqlScript.split("SELECT 1 /* ;"))
                .hasMessageContaining("Unclosed /* comment");
    }

    @Test
    void substitutesPlaceholdersAndRefusesUnknownOnes() {
        assertThat(
                        SqlScript.substitute(
                                "'${bootstrap}' '${images}$'",
                                Map.of("bootstrap", "localhost:9092", "images", "/a$1\\b")))
                .isEqualTo("'localhost:9092' '/a$1\\b$'");
        assertThatThrownBy(() -> SqlScript.substitute("${bootstap}", Map.of("bootstrap", "x")))
                .hasMessage("${bootstap} has no value; defined: bootstrap");
    }
}
