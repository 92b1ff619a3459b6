package io.inceptionpipeline.models.verify;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What earlier runs on this kind of machine learned: that an engine's oneDNN kernels computed wrong
 * convolutions on this CPU, and so what later starts do before the engine's first convolution.
 * oneDNN's instruction set can only be limited before that convolution, so the run that finds the
 * fault makes do with the slow remedy (oneDNN's convolutions off), records it here, and later
 * starts {@link Avoidance avoid} it in two steps: first by limiting the ISA to AVX2 (fast, and
 * enough where only the AVX-512 kernels are wrong); if the fault is found under that limit too (as
 * on the AMD EPYC Zen 5 with LibTorch 2.7.1), the record is raised and later starts switch oneDNN's
 * convolutions off at once. Every start still verifies. One small text file per engine version and
 * CPU (model, family and extensions), in {@code -Dinception.faults.dir}, else {@code
 * $XDG_CACHE_HOME/inception-pipeline}, else {@code ~/.cache/inception-pipeline}. Delete it to make
 * the next start measure again.
 */
final class KnownFaults {

    private static final Logger LOG = LoggerFactory.getLogger(KnownFaults.class);

    /** System property naming the folder of the records. */
    static final String DIR_PROPERTY = "inception.faults.dir";

    /** The record's line that says what later starts do. */
    private static final String AVOID = "avoid: ";

    /** What later starts do before the engine's first convolution, weakest first. */
    enum Avoidance {
        /** Only oneDNN's AVX-512 kernels were seen wrong: limit oneDNN to AVX2. */
        AVX2_ISA(
                "avx2-isa",
                "later starts set ONEDNN_MAX_CPU_ISA=AVX2 for this engine before its first"
                        + " convolution"),
        /** Wrong under the AVX2 limit too: switch oneDNN's convolutions off from the start. */
        ONEDNN_OFF(
                "onednn-off",
                "later starts switch this engine's oneDNN convolutions off before its first"
                        + " convolution (the AVX2 limit did not avoid the fault)");

        final String key;
        final String effect;

        Avoidance(String key, String effect) {
            this.key = key;
            this.effect = effect;
        }
    }

    private KnownFaults() {}

    /** The record of {@code engine} {@code version} on this CPU (it may not exist). */
    static Path file(String engine, String version) {
        CpuFeatures cpu = CpuFeatures.current();
        String identity = cpu.vendor() + "|" + cpu.model() + "|" + cpu.family() + "|" + cpu.flags();
        String name =
                String.format(
                        Locale.ROOT,
                        "%s-%s-%s.avx512-faulty",
                        engine.toLowerCase(Locale.ROOT),
                        version.replaceAll("[^A-Za-z0-9.]", "_"),
                        sha256(identity).substring(0, 16));
        return dir().resolve(name);
    }

    /**
     * What an earlier run recorded for {@code engine} {@code version} here, if anything. A record
     * without an {@code avoid:} line (written before there were two steps) means {@link
     * Avoidance#AVX2_ISA}; an unreadable one is treated as absent, so the start measures again.
     */
    static Optional<Avoidance> recorded(String engine, String version) {
        Path file = file(engine, version);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                if (line.startsWith(AVOID)) {
                    String key = line.substring(AVOID.length()).trim();
                    for (Avoidance a : Avoidance.values()) {
                        if (a.key.equals(key)) {
                            return Optional.of(a);
                        }
                    }
                    LOG.warn("Ignoring {}: unknown '{}{}'", file, AVOID, key);
                    return Optional.empty();
                }
            }
            return Optional.of(Avoidance.AVX2_ISA);
        } catch (IOException | RuntimeException e) {
            LOG.warn("Cannot read {}: {}", file, e.toString());
            return Optional.empty();
        }
    }

    /**
     * Records that {@code engine} was wrong ({@code detail}) under {@code seenUnder} (what this JVM
     * had done before its first convolution: {@code full ISA}, or the AVX2 limit) and that later
     * starts take {@code avoidance}. The lines of an earlier record are kept, so the file tells the
     * whole story; a folder that cannot be written only costs the next start its speed.
     */
    static void record(
            String engine, String version, String seenUnder, String detail, Avoidance avoidance) {
        Path file = file(engine, version);
        try {
            List<String> lines = new ArrayList<>();
            if (Files.isRegularFile(file)) {
                for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                    if (!line.startsWith(AVOID) && !line.startsWith("effect: ")) {
                        lines.add(line);
                    }
                }
            } else {
                lines.add("engine: " + engine + " " + version);
                lines.add("cpu: " + CpuFeatures.current().describe());
            }
            lines.add("found: " + Instant.now() + " under " + seenUnder);
            lines.add("wrong: " + detail);
            lines.add(AVOID + avoidance.key);
            lines.add("effect: " + avoidance.effect + "; delete this file to measure again");
            Files.createDirectories(file.getParent());
            Files.write(file, lines, StandardCharsets.UTF_8);
            LOG.warn("Recorded in {}: {}", file, avoidance.effect);
        } catch (IOException | RuntimeException e) {
            LOG.warn("Cannot record the fault in {}: {}", file, e.toString());
        }
    }

    private static Path dir() {
        String configured = System.getProperty(DIR_PROPERTY);
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured);
        }
        String cache = System.getenv("XDG_CACHE_HOME");
        Path base =
                cache != null && !cache.isBlank()
                        ? Path.of(cache)
                        : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("inception-pipeline");
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of()
                    .formatHex(
                            MessageDigest.getInstance("SHA-256")
                                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("Every JVM has SHA-256", e);
        }
    }
}
