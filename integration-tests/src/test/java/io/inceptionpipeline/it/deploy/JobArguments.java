package io.inceptionpipeline.it.deploy;

import io.inceptionpipeline.cli.Main;
import io.inceptionpipeline.pipeline.JobOptions;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;

/**
 * Command lines of the CLI checked with the real picocli model of {@link Main}, running nothing: an
 * option that does not exist, a missing required one or a value of the wrong type fails the parse.
 * For the job ({@code run}, which {@code JobMain} is), the parsed options are also built into
 * {@link JobOptions} as {@code RunCommand} builds them, so values the job would refuse (an unknown
 * model, engine, crop mode or delivery) fail too. Two checks depend on the machine that starts the
 * job and are left to it: that the {@code --weights} file and each {@code --allowed-root} exist.
 */
final class JobArguments {

    private JobArguments() {}

    /** Parses {@code command args...} as {@code java -jar inception-pipeline.jar} would. */
    static CommandLine.ParseResult parse(List<String> commandAndArgs) {
        return new CommandLine(new Main()).parseArgs(commandAndArgs.toArray(String[]::new));
    }

    /** The options {@code JobMain args...} would run with. */
    static JobOptions jobOptions(List<String> jobArgs) throws ReflectiveOperationException {
        List<String> run = new ArrayList<>();
        run.add("run");
        run.addAll(jobArgs);
        CommandLine.ParseResult parsed = parse(run).subcommand();
        Object runCommand = parsed.commandSpec().userObject();
        Object jobCli = field(runCommand, "job");
        Method toBuilder = jobCli.getClass().getDeclaredMethod("toBuilder");
        toBuilder.setAccessible(true);
        JobOptions.Builder builder;
        try {
            builder = (JobOptions.Builder) toBuilder.invoke(jobCli);
        } catch (java.lang.reflect.InvocationTargetException e) {
            throw new IllegalArgumentException(e.getCause().getMessage(), e.getCause());
        }
        return builder.bootstrapServers((String) field(runCommand, "bootstrapServers"))
                .boundedInput((Boolean) field(runCommand, "bounded"))
                // Files on the TaskManagers, not here: the manifests' volumes are checked instead.
                .model((String) field(jobCli, "model"), null)
                .allowedRoots(List.of())
                .build();
    }

    /** The values a repeatable option was given, in order. */
    static List<String> values(List<String> args, String option) {
        List<String> values = new ArrayList<>();
        for (int i = 0; i < args.size() - 1; i++) {
            if (args.get(i).equals(option)) {
                values.add(args.get(i + 1));
            }
        }
        return values;
    }

    private static Object field(Object owner, String name) throws ReflectiveOperationException {
        Field field = owner.getClass().getDeclaredField(name);
        field.setAccessible(true);
        return field.get(owner);
    }
}
