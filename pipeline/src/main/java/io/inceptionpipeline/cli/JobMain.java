package io.inceptionpipeline.cli;

import java.util.Arrays;

/**
 * Entry point of the cluster job jar: {@code flink run pipeline/target/inception-pipeline-job.jar
 * --bootstrap-servers ... [run options]} is {@code run} with those options; {@code flink run
 * pipeline/target/inception-pipeline-job.jar archive --input ... [archive options]} is the archive
 * mode ({@link ArchiveJobCommand}).
 */
public final class JobMain {

    private JobMain() {}

    public static void main(String[] args) {
        boolean archive = args.length > 0 && ArchiveJobCommand.MODE.equals(args[0]);
        String mode = archive ? ArchiveJobCommand.MODE : "run";
        picocli.CommandLine command =
                archive
                        ? new picocli.CommandLine(new ArchiveJobCommand())
                        : new picocli.CommandLine(new Main());
        String[] commandArgs = archive ? Arrays.copyOfRange(args, 1, args.length) : prepend(args);
        // The submitter sees this exception (flink run, the REST API's answer), not always the
        // program's stderr: it carries the reason a command line was refused.
        String[] refused = {null};
        picocli.CommandLine.IParameterExceptionHandler printing =
                command.getParameterExceptionHandler();
        command.setParameterExceptionHandler(
                (e, arguments) -> {
                    refused[0] = e.getMessage();
                    return printing.handleParseException(e, arguments);
                });
        Exception[] failed = {null};
        command.setExecutionExceptionHandler(
                (e, commandLine, parsed) -> {
                    failed[0] = e;
                    throw e; // picocli prints it and exits with 1
                });
        int code = command.execute(commandArgs);
        if (code != 0) {
            throw new IllegalStateException(
                    mode
                            + " exited with code "
                            + code
                            + (refused[0] == null ? "" : ": " + refused[0]),
                    failed[0]);
        }
    }

    private static String[] prepend(String[] args) {
        String[] run = new String[args.length + 1];
        run[0] = "run";
        System.arraycopy(args, 0, run, 1, args.length);
        return run;
    }
}
