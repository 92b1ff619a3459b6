package io.inceptionpipeline.models.verify;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What earlier runs on this kind of machine learned: that an engine's AVX-512 kernels computed
 * wrong convolutions on this CPU. oneDNN's instruction set can only be limited before the engine's
 * first convolution, so the run that finds the fault makes do with a slower remedy, records it
 * here, and every later start limits the ISA to AVX2 before the first convolution (and still
 * verifies). One small text file per engine version and CPU (model, family and extensions), in
 * {@code -Dinception.faults.dir}, else {@code $XDG_CACHE_HOME/inception-pipeline}, else {@code
 * ~/.cache/inception-pipeline}. Delete it to make the next start measure again.
 */
final class KnownFaults {

    private static final Logger LOG = LoggerFactory.getLogger(KnownFaults.class);

    /** System property naming the folder of the records. */
    static final String DIR_PROPERTY = "inception.faults.dir";

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

    /** Whether an earlier run recorded the fault for {@code engine} {@code version} here. */
    static boolean recorded(String engine, String version) {
        return Files.isRegularFile(file(engine, version));
    }

    /** Records the fault; a folder that cannot be written only costs the next start its speed. */
    static void record(String engine, String version, String detail) {
        Path file = file(engine, version);
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(
                    file,
                    String.format(
                            "engine: %s %s%ncpu: %s%nfound: %s%nwrong: %s%n"
                                    + "effect: later starts set ONEDNN_MAX_CPU_ISA=AVX2 for this"
                                    + " engine before its first convolution; delete this file to"
                                    + " measure again%n",
                            engine,
                            version,
                            CpuFeatures.current().describe(),
                            Instant.now(),
                            detail),
                    StandardCharsets.UTF_8);
            LOG.warn("Recorded in {}: later starts limit {}'s oneDNN to AVX2", file, engine);
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
