package io.inceptionpipeline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code local --compare-raw}: the whole command (its broker, its MiniCluster, the bundled
 * Fashion-MNIST samples) with raw inference measured before and after the job, and the lines that
 * say what the ratio is made of.
 */
class LocalCompareRawITCase {

    private static double number(String stdout, String regex) {
        Matcher m = Pattern.compile(regex).matcher(stdout);
        assertThat(m.find()).as("a line matching %s in:%n%s", regex, stdout).isTrue();
        return Double.parseDouble(m.group(1));
    }

    @Test
    void reportsRawBeforeAndAfterTheJobAndTheBusyShare() throws Exception {
        ScoreCommandTest.Run run =
                ScoreCommandTest.run(
                        "local", "--count", "2400", "--compare-raw", "1", "--examples", "0");

        assertThat(run.exitCode()).as(run.stderr()).isZero();
        assertThat(run.stdout()).contains("requests 2400, scored 2400, failed 0, unanswered 0");
        assertThat(run.stderr())
                .contains("raw batched inference before the job:")
                .contains("raw batched inference after the job:");
        double before =
                number(run.stdout(), "raw batched inference before the job ([0-9.]+) images/s");
        double after = number(run.stdout(), "after it ([0-9.]+) images/s");
        double mean = number(run.stdout(), "raw batched inference ([0-9.]+) images/s \\(batch");
        assertThat(before).isPositive();
        assertThat(after).isPositive();
        assertThat(mean)
                .isCloseTo((before + after) / 2, org.assertj.core.data.Offset.offset(0.011));

        // One subtask runs one forward pass at a time: busy at most the whole window (the end
        // times are whole milliseconds, the passes' durations are not).
        double busy =
                number(
                        run.stdout(),
                        "inference busy ([0-9.]+)% of the sustained window \\(1 subtask");
        assertThat(busy).isPositive().isLessThanOrEqualTo(100.5);
        double jobPass = number(run.stdout(), "forward pass ([0-9.]+) ms per batch in the job");
        double rawPass = number(run.stdout(), "ms per batch in the job, ([0-9.]+) ms raw");
        assertThat(jobPass).isPositive();
        assertThat(rawPass).isPositive();

        double sustained =
                number(
                        run.stdout(),
                        "sustained rate \\(first to last batch\\): ([0-9.]+) images/s");
        double ratio = number(run.stdout(), "pipeline sustained rate / raw = ([0-9.]+)");
        assertThat(ratio).isCloseTo(sustained / mean, org.assertj.core.data.Offset.offset(0.01));
        double laterHalf =
                number(
                        run.stdout(),
                        "later half of the sustained window \\(its last [0-9.]+ s\\): ([0-9.]+) images/s");
        double laterRatio = number(run.stdout(), "images/s, ([0-9.]+) of raw");
        assertThat(laterHalf).isPositive();
        assertThat(laterRatio)
                .isCloseTo(laterHalf / mean, org.assertj.core.data.Offset.offset(0.01));

        // Where the cores went (Linux's /proc, which CI has): inference took some of them in the
        // sustained window, and the JVM took some during raw inference. 2,400 requests make a
        // window of about five seconds, long enough for the sampler's one-second period.
        if (Files.isDirectory(Path.of("/proc/self/task"))) {
            double inference =
                    number(
                            run.stdout(),
                            "cores \\(\\d+\\) in the sustained window: .*?inference ([0-9.]+)%");
            double idle = number(run.stdout(), "in the sustained window: .*idle ([0-9.]+)%;");
            double rawJvm =
                    number(run.stdout(), "during raw inference the JVM took ([0-9.]+)% before");
            assertThat(inference).isPositive().isLessThanOrEqualTo(100);
            assertThat(idle).isBetween(0.0, 100.0);
            assertThat(rawJvm).isPositive();
        }
    }
}
