package io.inceptionpipeline.operators.fetch;

import com.sun.jna.Library;
import com.sun.jna.Native;
import io.inceptionpipeline.schemas.ErrorCode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Locale;
import java.util.function.Predicate;

/**
 * Reads a file that must be a regular file, judging the file it actually opened rather than the
 * name: between a check by name and the open, the file may be swapped for a FIFO (whose open blocks
 * a reader thread until someone writes), a device, or a symbolic link out of the allowed roots.
 *
 * <p>On Linux (x86-64 and ARM64) the file is opened once with {@code O_NOFOLLOW | O_NONBLOCK}, so
 * neither a final symbolic link nor a FIFO can make the open wait or leave the roots; the opened
 * file's type and location are then read through {@code /proc/self/fd}, and its bytes read through
 * the same open file. Elsewhere, or without JNA, it falls back to checking the name without
 * following links just before opening without following links: the same verdicts, with a narrow
 * window in which a FIFO swapped in can still block one reader.
 */
final class RegularFileReader {

    private static final boolean OPEN_ONCE = openOnceAvailable();

    private RegularFileReader() {}

    private static boolean openOnceAvailable() {
        try {
            return LinuxOpen.noFollowFlag() != null && LinuxOpen.LIBC != null;
        } catch (LinkageError e) {
            return false; // JNA missing from the class path
        }
    }

    /** Whether this JVM judges the opened file itself (Linux with JNA), not only its name. */
    static boolean judgesTheOpenedFile() {
        return OPEN_ONCE;
    }

    /**
     * The bytes of {@code path} if it is a regular file, inside {@code allowed} once opened, of at
     * most {@code maxBytes}.
     */
    static byte[] read(Path path, long maxBytes, Predicate<Path> allowed) {
        if (OPEN_ONCE) {
            return readOpenedOnce(path, maxBytes, allowed, LinuxOpen.noFollowFlag());
        }
        return readByName(path, maxBytes);
    }

    private static byte[] readOpenedOnce(
            Path path, long maxBytes, Predicate<Path> allowed, int noFollow) {
        int fd =
                LinuxOpen.LIBC.open(
                        path.toString(),
                        LinuxOpen.O_RDONLY | LinuxOpen.O_NONBLOCK | LinuxOpen.O_CLOEXEC | noFollow);
        if (fd < 0) {
            int errno = Native.getLastError();
            throw switch (errno) {
                case LinuxOpen.ENOENT ->
                        new FetchException(ErrorCode.NOT_FOUND, "No such file: " + path);
                case LinuxOpen.ELOOP ->
                        new FetchException(
                                ErrorCode.PATH_NOT_ALLOWED,
                                "Path became a symbolic link after it was checked");
                default ->
                        new FetchException(
                                ErrorCode.FETCH_IO_ERROR,
                                "Cannot open " + path + " (errno " + errno + ")");
            };
        }
        try {
            Path opened = Path.of("/proc/self/fd/" + fd);
            Path where = Files.readSymbolicLink(opened); // where the open file lies now
            if (!allowed.test(where)) {
                throw new FetchException(
                        ErrorCode.PATH_NOT_ALLOWED,
                        "The file opened lies outside the allowed roots");
            }
            BasicFileAttributes attributes =
                    Files.readAttributes(opened, BasicFileAttributes.class); // the open file's
            checkRegularAndSize(path, attributes, maxBytes);
            // Through the open file: the same inode, whatever the name now points to.
            try (InputStream in = Files.newInputStream(opened)) {
                return capped(in, maxBytes);
            }
        } catch (IOException e) {
            throw new FetchException(
                    ErrorCode.FETCH_IO_ERROR, "Cannot read " + path + ": " + e.getMessage());
        } finally {
            LinuxOpen.LIBC.close(fd);
        }
    }

    private static byte[] readByName(Path path, long maxBytes) {
        try {
            BasicFileAttributes attributes =
                    Files.readAttributes(
                            path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (attributes.isSymbolicLink()) {
                throw new FetchException(
                        ErrorCode.PATH_NOT_ALLOWED,
                        "Path became a symbolic link after it was checked");
            }
            checkRegularAndSize(path, attributes, maxBytes);
            try (InputStream in = Files.newInputStream(path, LinkOption.NOFOLLOW_LINKS)) {
                return capped(in, maxBytes);
            }
        } catch (NoSuchFileException e) {
            throw new FetchException(ErrorCode.NOT_FOUND, "No such file: " + path);
        } catch (IOException e) {
            throw new FetchException(
                    ErrorCode.FETCH_IO_ERROR, "Cannot read " + path + ": " + e.getMessage());
        }
    }

    private static void checkRegularAndSize(Path path, BasicFileAttributes a, long maxBytes) {
        if (!a.isRegularFile()) {
            throw new FetchException(
                    ErrorCode.NOT_REGULAR_FILE,
                    "Not a regular file ("
                            + (a.isDirectory() ? "a directory" : "a FIFO, socket or device")
                            + "): "
                            + path);
        }
        if (a.size() > maxBytes) {
            throw new FetchException(
                    ErrorCode.TOO_LARGE,
                    "File has " + a.size() + " bytes, over the limit of " + maxBytes);
        }
    }

    private static byte[] capped(InputStream in, long maxBytes) throws IOException {
        byte[] bytes = in.readNBytes((int) maxBytes + 1);
        if (bytes.length > maxBytes) { // grew while we read it
            throw new FetchException(
                    ErrorCode.TOO_LARGE, "File grew over the limit of " + maxBytes);
        }
        return bytes;
    }

    /** libc's open(2) and close(2) through JNA, with the flags of Linux on x86-64 and ARM64. */
    static final class LinuxOpen {
        static final int O_RDONLY = 0;
        static final int O_NONBLOCK = 04000;
        static final int O_CLOEXEC = 02000000;
        static final int ENOENT = 2;
        static final int ELOOP = 40;

        interface LibC extends Library {
            int open(String path, int flags);

            int close(int fd);
        }

        static final LibC LIBC = load();

        private static LibC load() {
            if (noFollowFlag() == null || !Files.isDirectory(Path.of("/proc/self/fd"))) {
                return null;
            }
            try {
                return Native.load("c", LibC.class);
            } catch (LinkageError | RuntimeException e) {
                return null; // no JNA or no libc: the portable path
            }
        }

        /** O_NOFOLLOW on this platform, or null where this class does not know it. */
        static Integer noFollowFlag() {
            if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux")) {
                return null;
            }
            return switch (System.getProperty("os.arch", "")) {
                case "amd64", "x86_64" -> 0400000;
                case "aarch64" -> 0100000;
                default -> null;
            };
        }
    }
}
