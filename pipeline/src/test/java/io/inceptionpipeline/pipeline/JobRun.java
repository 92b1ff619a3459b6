package io.inceptionpipeline.pipeline;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/** Runs the scoring job on the test's MiniCluster until its bounded input is done. */
final class JobRun {

    private JobRun() {}

    /** Wires the job onto Kafka and runs it to the end; any failure fails the call, no restart. */
    static void toEnd(JobOptions options, String name) throws Exception {
        Configuration conf = new Configuration();
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        ScoringJob.wireKafka(env, options);
        env.execute(name);
    }
}
