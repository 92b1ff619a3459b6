package io.inceptionpipeline.models.inference;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The thread count of the native engine's OpenMP pool, a first-order performance knob (on a 2-core
 * machine a 3×3 convolution ran at 97 GFLOP/s by default and 172 GFLOP/s with OMP_NUM_THREADS=2).
 * OpenMP reads {@code OMP_NUM_THREADS} once, when the engine's native library loads, so this sets
 * it in the process environment through libc and must run before the first model is loaded. An
 * {@code OMP_NUM_THREADS} the user exported wins.
 */
public final class NativeThreads {

    private static final Logger LOG = LoggerFactory.getLogger(NativeThreads.class);

    private interface LibC extends Library {
        int setenv(String name, String value, int overwrite);
    }

    private NativeThreads() {}

    /**
     * Sets the OpenMP thread count for the engine about to load; {@code threads <= 0} means the
     * number of available processors. Returns the setting in effect.
     */
    public static int configure(int threads) {
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
        if (Platform.isWindows()) {
            LOG.warn("Cannot set OMP_NUM_THREADS on Windows from Java; export it instead");
            return -1;
        }
        LibC libc = Native.load("c", LibC.class);
        if (libc.setenv("OMP_NUM_THREADS", Integer.toString(count), 1) != 0) {
            LOG.warn("setenv(OMP_NUM_THREADS) failed; the engine uses its default thread count");
            return -1;
        }
        LOG.debug("OMP_NUM_THREADS={}", count);
        return count;
    }
}
