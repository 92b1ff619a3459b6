package io.inceptionpipeline.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code java -jar pipeline/target/inception-pipeline.jar <command> ...} */
@Command(
        name = "inception-pipeline",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Scores images with the Inception family of CNNs on Deep Java Library.",
        subcommands = {
            ScoreCommand.class,
            RunCommand.class,
            LocalCommand.class,
            ArchiveCommand.class,
            ProduceCommand.class,
            LoadgenCommand.class,
            TrainCommand.class,
            EvaluateCommand.class,
            BenchCommand.class,
            ConvertCommand.class,
            ExportCommand.class,
            EnginesCommand.class,
            SearchCommand.class,
            SqlCommand.class,
            CommandLine.HelpCommand.class
        })
public final class Main implements Runnable {

    /** Exit code when the model or its weights cannot be loaded. */
    static final int EXIT_MODEL_ERROR = 3;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs a command line and returns its exit code. */
    public static int run(String... args) {
        return new CommandLine(new Main()).execute(args);
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.err);
    }

    /** This build's version, from the jar manifest; "dev" when run from classes. */
    static String version() {
        String version = Main.class.getPackage().getImplementationVersion();
        return version != null ? version : "dev";
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"inception-pipeline " + version()};
        }
    }
}
