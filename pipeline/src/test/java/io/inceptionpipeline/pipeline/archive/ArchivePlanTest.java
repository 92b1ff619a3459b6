package io.inceptionpipeline.pipeline.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.inceptionpipeline.pipeline.JobOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What an archive run decides at submission, for the CLI and the job jar alike: which checkpoint it
 * restores (none when the submitter named one), what the output folder keeps, what is left to
 * score, and the checkpointing it asks for.
 */
class ArchivePlanTest {

    @TempDir Path dir;

    private final JobOptions options =
            JobOptions.builder().withoutKafka().boundedInput(true).duplicateWindowMs(0).build();

    @Test
    void theCheckpointFolderDefaultsUnderTheOutputFolder() {
        Path out = dir.resolve("out");
        assertThat(ArchivePlan.checkpointDir(null, out)).isEqualTo(out.resolve(".checkpoints"));
        assertThat(ArchivePlan.checkpointDir(dir.resolve("cp"), out)).isEqualTo(dir.resolve("cp"));
        assertThat(ArchivePlan.checkpointDir(null, null)).isNull();
    }

    @Test
    void restoresTheLatestRetainedCheckpointUnlessTheSubmitterNamedOne() throws Exception {
        Path manifest = Files.writeString(dir.resolve("m.csv"), "id,uri\na,/x/a.png\nb,/x/b.png\n");
        Path out = dir.resolve("out");
        Path checkpoints = ArchivePlan.checkpointDir(null, out);
        Path chk = Files.createDirectories(checkpoints.resolve("job-1/chk-3"));
        Files.writeString(chk.resolve("_metadata"), "?");
        Path pending = Files.createDirectories(out.resolve("predictions"));
        Path sinkFile = Files.writeString(pending.resolve(".part-r-0.avro.inprogress.u1"), "?");

        ArchivePlan restoring =
                ArchivePlan.prepare(manifest.toString(), out, checkpoints, false, options, false);
        assertThat(restoring.restore()).contains(chk);
        assertThat(restoring.configuration().get(StateRecoveryOptions.SAVEPOINT_PATH))
                .isEqualTo(chk.toUri().toString());
        assertThat(sinkFile).as("the restored state may name it as pending").exists();

        ArchivePlan given =
                ArchivePlan.prepare(manifest.toString(), out, checkpoints, false, options, true);
        assertThat(given.restore()).isEmpty();
        assertThat(given.configuration().getOptional(StateRecoveryOptions.SAVEPOINT_PATH))
                .isEmpty();
        assertThat(sinkFile).as("the named state may name it as pending").exists();
        assertThat(given.scan().toScore()).isEqualTo(2);
        assertThat(given.summary())
                .isEqualTo(
                        "archive: 2 images listed in "
                                + manifest
                                + " (0 repeated ids left out), 0 already answered in "
                                + out
                                + ", 2 to score");

        checkpoints.resolve("job-1/chk-3/_metadata").toFile().delete();
        ArchivePlan fresh =
                ArchivePlan.prepare(manifest.toString(), out, checkpoints, false, options, false);
        assertThat(fresh.restore()).isEmpty();
        assertThat(fresh.removed()).containsExactly(sinkFile);
        assertThat(sinkFile).doesNotExist();
    }

    @Test
    void asksForRetainedCheckpointsInItsFolderOrTheClusters() throws Exception {
        Path manifest = Files.writeString(dir.resolve("m.csv"), "a,/x/a.png\n");
        Path checkpoints = dir.resolve("cp");
        Configuration own =
                ArchivePlan.prepare(manifest.toString(), null, checkpoints, true, kafka(), false)
                        .configuration();
        assertThat(own.get(CheckpointingOptions.CHECKPOINTS_DIRECTORY))
                .isEqualTo(checkpoints.toUri().toString());
        assertThat(own.get(CheckpointingOptions.CHECKPOINT_STORAGE)).isEqualTo("filesystem");
        assertThat(own.get(CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION))
                .isEqualTo(ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);

        Configuration clusters =
                ArchivePlan.prepare(manifest.toString(), null, null, true, kafka(), false)
                        .configuration();
        assertThat(clusters.getOptional(CheckpointingOptions.CHECKPOINTS_DIRECTORY)).isEmpty();
        assertThat(clusters.getOptional(CheckpointingOptions.CHECKPOINT_STORAGE)).isEmpty();
        assertThat(clusters.get(CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION))
                .isEqualTo(ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);

        assertThatThrownBy(
                        () ->
                                ArchivePlan.prepare(
                                        manifest.toString(), null, null, false, options, false))
                .hasMessageContaining("needs an output folder, Kafka or both");
    }

    @Test
    void runIdsSortByTimeAndNeverRepeat() {
        Instant now = Instant.parse("2026-11-30T10:00:00Z");
        assertThat(ArchivePlan.runId(now)).startsWith("20261130T100000Z-");
        assertThat(ArchivePlan.runId(now)).isNotEqualTo(ArchivePlan.runId(now));
    }

    private static JobOptions kafka() {
        return JobOptions.builder()
                .bootstrapServers("localhost:9092")
                .boundedInput(true)
                .duplicateWindowMs(0)
                .build();
    }
}
