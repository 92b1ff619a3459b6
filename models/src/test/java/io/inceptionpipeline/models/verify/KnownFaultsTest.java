package io.inceptionpipeline.models.verify;

import static org.assertj.core.api.Assertions.assertThat;

import io.inceptionpipeline.models.verify.KnownFaults.Avoidance;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The record of a fault and its two steps, read back as a later start reads it. */
class KnownFaultsTest {

    @TempDir Path dir;

    @BeforeEach
    void recordsHere() {
        System.setProperty(KnownFaults.DIR_PROPERTY, dir.toString());
    }

    @AfterEach
    void recordsWhereTheyWere() {
        System.clearProperty(KnownFaults.DIR_PROPERTY);
    }

    @Test
    void nothingRecordedMeansNothingToAvoid() {
        assertThat(KnownFaults.recorded("PyTorch", "2.7.1")).isEmpty();
    }

    @Test
    void aFaultAtFullIsaIsAvoidedWithTheAvx2LimitThenRaisedWhenSeenUnderIt() throws Exception {
        KnownFaults.record(
                "PyTorch", "2.7.1", "its full ISA", "[conv3x3 20->24 batch 7]", Avoidance.AVX2_ISA);
        assertThat(KnownFaults.recorded("PyTorch", "2.7.1")).contains(Avoidance.AVX2_ISA);
        // another engine or version has its own record
        assertThat(KnownFaults.recorded("PyTorch", "2.8.0")).isEmpty();
        assertThat(KnownFaults.recorded("MXNet", "2.7.1")).isEmpty();

        KnownFaults.record(
                "PyTorch",
                "2.7.1",
                "ONEDNN_MAX_CPU_ISA=AVX2",
                "[conv3x3 12->20 batch 7]",
                Avoidance.ONEDNN_OFF);
        assertThat(KnownFaults.recorded("PyTorch", "2.7.1")).contains(Avoidance.ONEDNN_OFF);
        String record = Files.readString(KnownFaults.file("PyTorch", "2.7.1"));
        // the whole story, one step to follow
        assertThat(record)
                .startsWith("engine: PyTorch 2.7.1\ncpu: ")
                .contains("under its full ISA\nwrong: [conv3x3 20->24 batch 7]\n")
                .contains("under ONEDNN_MAX_CPU_ISA=AVX2\nwrong: [conv3x3 12->20 batch 7]\n")
                .containsOnlyOnce("avoid: ")
                .containsOnlyOnce("effect: ")
                .contains("avoid: onednn-off")
                .contains("the AVX2 limit did not avoid the fault");
    }

    @Test
    void aRecordWrittenBeforeTheSecondStepMeansTheAvx2Limit() throws Exception {
        Path file = KnownFaults.file("PyTorch", "2.7.1");
        Files.createDirectories(file.getParent());
        Files.writeString(
                file,
                "engine: PyTorch 2.7.1\nfound: 2026-11-30T20:16:09Z\nwrong: [conv3x3 20->24]\n"
                        + "effect: later starts set ONEDNN_MAX_CPU_ISA=AVX2 for this engine"
                        + " before its first convolution; delete this file to measure again\n");
        assertThat(KnownFaults.recorded("PyTorch", "2.7.1")).contains(Avoidance.AVX2_ISA);
    }

    @Test
    void aRecordThatNamesNoKnownStepIsIgnoredSoTheStartMeasures() throws Exception {
        Path file = KnownFaults.file("PyTorch", "2.7.1");
        Files.createDirectories(file.getParent());
        Files.writeString(file, "engine: PyTorch 2.7.1\navoid: something-newer\n");
        assertThat(KnownFaults.recorded("PyTorch", "2.7.1")).isEmpty();
    }
}
