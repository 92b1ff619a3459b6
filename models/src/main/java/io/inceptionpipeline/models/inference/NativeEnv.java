package io.inceptionpipeline.models.inference;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Platform;

/**
 * The process environment as native libraries read it. Java's {@code System.getenv} is a copy taken
 * at start-up; OpenMP and oneDNN read the C library's environment when they initialize, so settings
 * meant for them are made through libc's {@code setenv}. Not on Windows.
 */
public final class NativeEnv {

    private interface LibC extends Library {
        int setenv(String name, String value, int overwrite);

        int unsetenv(String name);

        String getenv(String name);
    }

    private static LibC libc;

    private NativeEnv() {}

    /** Whether the environment can be changed here (not on Windows). */
    public static boolean supported() {
        return !Platform.isWindows();
    }

    /** Sets {@code name=value}; returns whether it was done. */
    public static synchronized boolean set(String name, String value) {
        return supported() && libc().setenv(name, value, 1) == 0;
    }

    /** Removes {@code name}; returns whether it was done. */
    public static synchronized boolean unset(String name) {
        return supported() && libc().unsetenv(name) == 0;
    }

    /** The value native code sees for {@code name}, or null. */
    public static synchronized String get(String name) {
        return supported() ? libc().getenv(name) : null;
    }

    private static LibC libc() {
        if (libc == null) {
            libc = Native.load("c", LibC.class);
        }
        return libc;
    }
}
