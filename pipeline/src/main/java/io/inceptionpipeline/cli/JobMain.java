package io.inceptionpipeline.cli;

/**
 * Entry point of the cluster job jar: {@code flink run pipeline/target/inception-pipeline-job.jar
 * --bootstrap-servers ... [run options]} is {@code run} with those options.
 */
public final class JobMain {

    private JobMain() {}

    public static void main(String[] args) {
        String[] run = new String[args.length + 1];
        run[0] = "run";
        System.arraycopy(args, 0, run, 1, args.length);
        int code = Main.run(run);
        if (code != 0) {
            throw new IllegalStateException("run exited with code " + code);
        }
    }
}
