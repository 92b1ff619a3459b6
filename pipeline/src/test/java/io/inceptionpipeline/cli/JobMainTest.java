package io.inceptionpipeline.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job jar's entry point: its first argument selects the mode, and a refused command line fails
 * the submission with the reason (the archive mode on a cluster runs in ArchiveClusterTest).
 */
class JobMainTest {

    @TempDir Path dir;

    @Test
    void sharedPathsAreAbsolutePathsOrFileUris() {
        assertThat(ArchiveJobCommand.sharedPath("--input", "/shared/in/../manifest.csv"))
                .isEqualTo(Path.of("/shared/manifest.csv"));
        assertThat(ArchiveJobCommand.sharedPath("--output-dir", "file:///shared/out/"))
                .isEqualTo(Path.of("/shared/out"));
        assertThatThrownBy(() -> ArchiveJobCommand.sharedPath("--input", "manifest.csv"))
                .hasMessageContaining("--input manifest.csv is a relative path")
                .hasMessageContaining("absolute path")
                .hasMessageContaining("every TaskManager");
        assertThatThrownBy(() -> ArchiveJobCommand.sharedPath("--output-dir", "hdfs://nn/out"))
                .hasMessageContaining("the hdfs:// file system is not supported");
        assertThatThrownBy(() -> ArchiveJobCommand.sharedPath("--input", "file:relative.csv"))
                .hasMessageContaining("is not a file URI");
    }

    @Test
    void archiveSelectsTheArchiveModeAndARelativePathFailsTheSubmission() {
        assertThatThrownBy(
                        () ->
                                JobMain.main(
                                        new String[] {
                                            "archive",
                                            "--input",
                                            "manifest.csv",
                                            "--output-dir",
                                            dir.toString()
                                        }))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("archive exited with code 2: ")
                .hasMessageContaining("--input manifest.csv is a relative path");
    }

    @Test
    void archiveModeRefusesAMissingManifestAndANonPositiveCheckpointInterval() throws Exception {
        Path missing = dir.resolve("nowhere.csv");
        assertThatThrownBy(
                        () ->
                                JobMain.main(
                                        new String[] {
                                            "archive",
                                            "--input",
                                            missing.toString(),
                                            "--output-dir",
                                            dir.resolve("out").toString()
                                        }))
                .hasMessageContaining("No manifest file " + missing);
        Path manifest = Files.writeString(dir.resolve("manifest.csv"), "a,/x.png\n");
        assertThatThrownBy(
                        () ->
                                JobMain.main(
                                        new String[] {
                                            "archive",
                                            "--input",
                                            manifest.toString(),
                                            "--output-dir",
                                            dir.resolve("out").toString(),
                                            "--delivery",
                                            "at-least-once",
                                            "--checkpoint-interval-ms",
                                            "0"
                                        }))
                .hasMessageContaining("--checkpoint-interval-ms must be positive");
        assertThat(dir.resolve("out")).doesNotExist(); // refused before touching the output
    }

    @Test
    void anythingElseIsRunAsBefore() {
        assertThatThrownBy(() -> JobMain.main(new String[] {"--input-topic", "requests"}))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("run exited with code 2: ")
                .hasMessageContaining("--bootstrap-servers");
    }

    @Test
    void archiveHelpSaysWhatMustBeShared() {
        PrintStream out = System.out;
        ByteArrayOutputStream help = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(help, true, StandardCharsets.UTF_8));
            JobMain.main(new String[] {"archive", "--help"});
        } finally {
            System.setOut(out);
        }
        assertThat(help.toString(StandardCharsets.UTF_8))
                .contains("flink run [-d] inception-pipeline-job.jar archive")
                .contains("every TaskManager")
                .contains("--output-dir")
                .contains("--checkpoint-interval-ms");
    }
}
