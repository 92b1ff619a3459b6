package io.inceptionpipeline.cli;

import io.inceptionpipeline.pipeline.JobOptions;
import picocli.CommandLine.Option;

/**
 * The job's three topics as flags: a picocli mixin of {@link JobCliOptions} (so {@code run}, {@code
 * local}, {@code archive}) and of {@code loadgen}, which must name the same topics as the job it
 * loads.
 */
final class TopicOptions {

    @Option(
            names = "--input-topic",
            defaultValue = JobOptions.DEFAULT_INPUT_TOPIC,
            description = "Topic of requests. Default: ${DEFAULT-VALUE}.")
    String inputTopic;

    @Option(
            names = "--output-topic",
            defaultValue = JobOptions.DEFAULT_OUTPUT_TOPIC,
            description = "Topic of predictions. Default: ${DEFAULT-VALUE}.")
    String outputTopic;

    @Option(
            names = "--dead-letter-topic",
            defaultValue = JobOptions.DEFAULT_DEAD_LETTER_TOPIC,
            description = "Topic of failures. Default: ${DEFAULT-VALUE}.")
    String deadLetterTopic;
}
