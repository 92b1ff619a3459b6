package io.inceptionpipeline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@code --threads 0} in {@code local} and {@code archive}: the processors shared among the
 * inference subtasks of the one JVM; an explicit count is kept. {@code archive}'s default of two
 * subtasks where the JVM sees two processors, and one in the job jar's archive mode.
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

    @Test
    void archiveRunsTwoSubtasksWhereTheJvmSeesTwoProcessors() {
        assertThat(ArchiveCommand.defaultInferenceParallelism(1)).isEqualTo(1);
        assertThat(ArchiveCommand.defaultInferenceParallelism(2)).isEqualTo(2);
        assertThat(ArchiveCommand.defaultInferenceParallelism(64)).isEqualTo(2);
        String[] args = {"--input", "/data/manifest.csv", "--output-dir", "/data/out"};

        CommandLine cli = new CommandLine(new ArchiveCommand());
        cli.parseArgs(args);
        ArchiveCommand archive = cli.getCommand();
        assertThat(archive.job.inferenceParallelism)
                .isEqualTo(
                        ArchiveCommand.defaultInferenceParallelism(
                                Runtime.getRuntime().availableProcessors()));
        CommandLine explicit = new CommandLine(new ArchiveCommand());
        explicit.parseArgs("--input", "m.csv", "--inference-parallelism", "3");
        assertThat(((ArchiveCommand) explicit.getCommand()).job.inferenceParallelism).isEqualTo(3);

        CommandLine jobJar = new CommandLine(new ArchiveJobCommand());
        jobJar.parseArgs(args);
        assertThat(((ArchiveJobCommand) jobJar.getCommand()).job.inferenceParallelism).isEqualTo(1);
    }
}
