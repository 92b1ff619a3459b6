package io.inceptionpipeline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.inceptionpipeline.pipeline.JobOptions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/** The job's topic flags, one mixin ({@link TopicOptions}) in every command that names them. */
class TopicOptionsTest {

    static final Map<String, List<String>> FLAGS =
            Map.of(
                    "--input-topic",
                    List.of(JobOptions.DEFAULT_INPUT_TOPIC, "Topic of requests."),
                    "--output-topic",
                    List.of(JobOptions.DEFAULT_OUTPUT_TOPIC, "Topic of predictions."),
                    "--dead-letter-topic",
                    List.of(JobOptions.DEFAULT_DEAD_LETTER_TOPIC, "Topic of failures."));

    @Test
    void everyCommandOfTheJobsTopicsHasTheSameFlagsDefaultsAndHelp() {
        CommandLine main = new CommandLine(new Main());
        for (String command : List.of("run", "local", "archive", "loadgen")) {
            CommandSpec spec = main.getSubcommands().get(command).getCommandSpec();
            String usage = main.getSubcommands().get(command).getUsageMessage();
            FLAGS.forEach(
                    (flag, defaultAndHelp) -> {
                        OptionSpec option = spec.findOption(flag);
                        assertThat(option).as(command + " " + flag).isNotNull();
                        assertThat(option.defaultValue()).isEqualTo(defaultAndHelp.get(0));
                        assertThat(usage)
                                .as(command)
                                .contains(
                                        defaultAndHelp.get(1)
                                                + " Default: "
                                                + defaultAndHelp.get(0)
                                                + ".");
                    });
            assertThat(usage)
                    .contains(
                            "--input-topic=<inputTopic>",
                            "--output-topic=<outputTopic>",
                            "--dead-letter-topic=<deadLetterTopic>");
        }
    }

    @Test
    void loadgenAndTheJobParseTheTopicsGiven() {
        LoadgenCommand loadgen = new LoadgenCommand();
        new CommandLine(loadgen)
                .parseArgs(
                        "--bootstrap-servers",
                        "localhost:9092",
                        "--rate",
                        "1",
                        "--duration",
                        "1",
                        "--images",
                        ".",
                        "--input-topic",
                        "in",
                        "--dead-letter-topic",
                        "dead");
        assertThat(loadgen.topics.inputTopic).isEqualTo("in");
        assertThat(loadgen.topics.outputTopic).isEqualTo(JobOptions.DEFAULT_OUTPUT_TOPIC);
        assertThat(loadgen.topics.deadLetterTopic).isEqualTo("dead");

        RunCommand run = new RunCommand();
        new CommandLine(run)
                .parseArgs("--bootstrap-servers", "localhost:9092", "--output-topic", "out");
        JobOptions options = run.job.toBuilder().bootstrapServers("localhost:9092").build();
        assertThat(options.inputTopic()).isEqualTo(JobOptions.DEFAULT_INPUT_TOPIC);
        assertThat(options.outputTopic()).isEqualTo("out");
        assertThat(options.deadLetterTopic()).isEqualTo(JobOptions.DEFAULT_DEAD_LETTER_TOPIC);
    }
}
