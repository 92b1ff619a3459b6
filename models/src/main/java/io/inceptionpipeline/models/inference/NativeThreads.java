package io.inceptionpipeline.models.inference;

import com.sun.jna.Platform;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The native engine's OpenMP settings. The thread count is a first-order performance knob (on a
 * 2-core machine a 3×3 convolution ran at 97 GFLOP/s by default and 172 GFLOP/s with
 * OMP_NUM_THREADS=2); the wait policy decides whether idle OpenMP threads spin and starve the JVM's
 * own threads (see docs/benchmarks.md). OpenMP reads both once, when the engine's native library
 * loads, so this sets them in the process environment through libc and must run before the first
 * model is loaded. Values the user exported win.
 */
public final class NativeThreads {

    private static final Logger LOG = LoggerFactory.getLogger(NativeThreads.class);

    private NativeThreads() {}

    /**
     * Sets the OpenMP thread count for the engine about to load ({@code threads <= 0}: one per
     * available processor) and the wait policy PASSIVE: OpenMP threads then sleep between parallel
     * regions instead of spinning, which leaves the CPU to the JVM's own threads (decoding, Kafka,
     * Flink) and measured no slower for inference alone. Values the user exported win. Returns the
     * thread count in effect, or -1 when unknown.
     */
    public static int configure(int threads) {
        if (Platform.isWindows()) {
            LOG.warn(
                    "Cannot set OpenMP settings on Windows from Java; export OMP_NUM_THREADS instead");
            return -1;
        }
        String policy = System.getenv("OMP_WAIT_POLICY");
        if (policy == null || policy.isBlank()) {
            NativeEnv.set("OMP_WAIT_POLICY", "PASSIVE");
        }
        String exported = System.getenv("OMP_NUM_THREADS");
        if (exported != null && !exported.isBlank()) {
            LOG.info("OMP_NUM_THREADS={} from the environment", exported);
            try {
                return Integer.parseInt(exported.trim());
            } catch (NumberFormatException e) {
                return -1;
            }
        }
        int count = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
        if (!NativeEnv.set("OMP_NUM_THREADS", Integer.toString(count))) {
            LOG.warn("setenv(OMP_NUM_THREADS) failed; the engine uses its default thread count");
            return -1;
        }
        LOG.debug("OMP_NUM_THREADS={}", count);
        return count;
    }
}
