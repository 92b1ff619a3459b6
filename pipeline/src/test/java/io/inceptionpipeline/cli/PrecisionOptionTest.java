package io.inceptionpipeline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.inceptionpipeline.models.inference.MinMaxCalibration;
import io.inceptionpipeline.models.inference.PercentileCalibration;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@code --calibration-method} and {@code --calibration-percentile}: on every command that has
 * {@code --precision}, parsed into the method, and refused with a precise message when out of
 * range.
 */
class PrecisionOptionTest {

    /** The qualified names of the commands with {@code --precision}, nested ones included. */
    private static List<String> commandsWithPrecision() {
        List<String> names = new ArrayList<>();
        collect(new CommandLine(new Main()), names);
        return names;
    }

    private static void collect(CommandLine command, List<String> into) {
        if (command.getCommandSpec().findOption("--precision") != null) {
            into.add(command.getCommandSpec().qualifiedName(" ").replaceFirst("^\\S+ ", ""));
        }
        command.getSubcommands().values().forEach(sub -> collect(sub, into));
    }

    /** Runs {@code args} and returns the exit code and standard error. */
    private static String[] run(String... args) {
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new Main());
        cli.setErr(new PrintWriter(err, true));
        cli.setOut(new PrintWriter(new StringWriter(), true));
        int code = cli.execute(args);
        return new String[] {Integer.toString(code), err.toString()};
    }

    private static String[] with(String command, String... options) {
        List<String> args = new ArrayList<>(List.of(command.split(" ")));
        args.addAll(List.of(options));
        return args.toArray(String[]::new);
    }

    @Test
    void everyCommandWithPrecisionRefusesAPercentileOutOfRange() {
        List<String> commands = commandsWithPrecision();
        assertThat(commands).contains("evaluate", "score", "export", "bench", "run");
        for (String command : commands) {
            for (String bad : new String[] {"90", "100.5", "-3"}) {
                String[] result = run(with(command, "--calibration-percentile", bad));
                assertThat(result[0]).as(command + " " + bad).isEqualTo("2");
                assertThat(result[1])
                        .as(command)
                        .contains("Invalid value for option '--calibration-percentile'")
                        .contains("must be above 90 and at most 100")
                        .contains("got " + Double.parseDouble(bad));
            }
            String[] notANumber = run(with(command, "--calibration-percentile", "high"));
            assertThat(notANumber[1]).as(command).contains("'high' is not a number");
            String[] method = run(with(command, "--calibration-method", "entropy"));
            assertThat(method[0]).as(command).isEqualTo("2");
            assertThat(method[1])
                    .as(command)
                    .contains(
                            "'entropy' is not a calibration method: expected one of"
                                    + " [minmax, percentile]");
        }
    }

    @Test
    void theOptionsChooseTheMethod() {
        EvaluateCommand evaluate = new EvaluateCommand();
        new CommandLine(evaluate).parseArgs();
        assertThat(evaluate.modelOptions.precisionOption.calibrationMethod())
                .isEqualTo(new MinMaxCalibration());
        evaluate = new EvaluateCommand();
        new CommandLine(evaluate).parseArgs("--calibration-method", "percentile");
        assertThat(evaluate.modelOptions.precisionOption.calibrationMethod())
                .isEqualTo(new PercentileCalibration(99.99));
        evaluate = new EvaluateCommand();
        new CommandLine(evaluate)
                .parseArgs(
                        "--calibration-method", "percentile", "--calibration-percentile", "99.9");
        assertThat(evaluate.modelOptions.precisionOption.calibrationMethod())
                .isEqualTo(new PercentileCalibration(99.9));
    }
}
