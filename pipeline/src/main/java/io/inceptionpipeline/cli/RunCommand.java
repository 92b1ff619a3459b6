package io.inceptionpipeline.cli;

import io.inceptionpipeline.pipeline.JobOptions;
import io.inceptionpipeline.pipeline.ScoringJob;
import java.util.concurrent.Callable;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code run}: the scoring job against an existing Kafka. Started with {@code java -jar} it runs in
 * a local Flink MiniCluster in this JVM; submitted with {@code flink run} (the job jar) it runs on
 * that cluster.
 */
@Command(
        name = "run",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Runs the scoring job: requests from --input-topic, predictions to --output-topic, failures to",
            "--dead-letter-topic. Requests are Avro single-object ScoringRequest or plain-text URIs.",
            "Runs until cancelled (or, with --bounded, until the input's current end)."
        })
final class RunCommand implements Callable<Integer> {

    @Option(
            names = "--bootstrap-servers",
            required = true,
            description = "Kafka bootstrap servers, host:port[,host:port].")
    String bootstrapServers;

    @Option(
            names = "--bounded",
            description =
                    "Stop at the input topic's end offsets at start (a batch run over a backlog).")
    boolean bounded;

    @Option(
            names = "--job-name",
            defaultValue = "inception-pipeline",
            description = "Flink job name. Default: ${DEFAULT-VALUE}.")
    String jobName;

    @Mixin JobCliOptions job;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        JobOptions options;
        try {
            options =
                    job.toBuilder()
                            .bootstrapServers(bootstrapServers)
                            .boundedInput(bounded)
                            .build();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(options.fetchParallelism());
        ScoringJob.wireKafka(env, options);
        env.execute(jobName);
        return 0;
    }
}
