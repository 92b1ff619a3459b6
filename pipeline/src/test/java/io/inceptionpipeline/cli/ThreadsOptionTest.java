package io.inceptionpipeline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@code --threads 0} in {@code local} and {@code archive}: the processors shared among the
 * inference subtasks of the one JVM; an explicit count is kept.
 */
class ThreadsOptionTest {

    @Test
    void dividesTheProcessorsAmongTheSubtasks() {
        assertThat(JobCliOptions.threadsPerSubtask(2, 1)).isEqualTo(2);
        assertThat(JobCliOptions.threadsPerSubtask(2, 2)).isEqualTo(1);
        assertThat(JobCliOptions.threadsPerSubtask(16, 3)).isEqualTo(5);
        assertThat(JobCliOptions.threadsPerSubtask(2, 4)).isEqualTo(1); // at least one each
    }

    @Test
    void keepsAnExplicitCountAndSharesTheDefault() {
        JobCliOptions explicit = parse("--inference-parallelism", "2", "--threads", "3");
        explicit.shareProcessorsInOneJvm();
        assertThat(explicit.threads).isEqualTo(3);

        JobCliOptions shared = parse("--inference-parallelism", "2");
        assertThat(shared.threads).isZero();
        shared.shareProcessorsInOneJvm();
        assertThat(shared.threads)
                .isEqualTo(Math.max(1, Runtime.getRuntime().availableProcessors() / 2));
    }

    private static JobCliOptions parse(String... args) {
        JobCliOptions options = new JobCliOptions();
        new CommandLine(options).parseArgs(args);
        return options;
    }
}
