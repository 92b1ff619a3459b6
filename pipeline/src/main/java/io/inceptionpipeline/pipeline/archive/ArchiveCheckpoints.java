package io.inceptionpipeline.pipeline.archive;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The folder where an archive run's Flink checkpoints are retained ({@code <job id>/chk-<n>/}), so
 * that the same command, run again after the CLI was killed, restores the latest one. Emptied when
 * a run finishes: a finished run leaves nothing to restore.
 */
public final class ArchiveCheckpoints {

    /** The default folder, under the output folder (hidden: part files are not there). */
    public static final String DEFAULT_DIR = ".checkpoints";

    private final Path dir;

    public ArchiveCheckpoints(Path dir) {
        this.dir = dir;
    }

    public Path dir() {
        return dir;
    }

    /**
     * The completed checkpoint written last ({@code chk-<n>} holding {@code _metadata}), if any.
     */
    public Optional<Path> latest() throws IOException {
        if (!Files.isDirectory(dir)) {
            return Optional.empty();
        }
        try (Stream<Path> metadata = Files.find(dir, 3, ArchiveCheckpoints::isMetadata)) {
            return metadata.max(Comparator.comparing(ArchiveCheckpoints::modified))
                    .map(Path::getParent);
        }
    }

    private static boolean isMetadata(
            Path file, java.nio.file.attribute.BasicFileAttributes attributes) {
        return attributes.isRegularFile()
                && file.getFileName().toString().equals("_metadata")
                && file.getParent().getFileName().toString().startsWith("chk-");
    }

    private static FileTime modified(Path file) {
        try {
            return Files.getLastModifiedTime(file);
        } catch (IOException e) {
            return FileTime.fromMillis(0);
        }
    }

    /** Deletes every checkpoint in the folder. */
    public void clear() throws IOException {
        if (!Files.isDirectory(dir)) {
            return;
        }
        // Flink may still be discarding a finished job's checkpoint: what vanished meanwhile is
        // fine.
        List<Path> files;
        try (Stream<Path> walk = Files.walk(dir)) {
            files = walk.sorted(Comparator.reverseOrder()).toList();
        } catch (java.io.UncheckedIOException e) {
            if (e.getCause() instanceof java.nio.file.NoSuchFileException) {
                clear(); // a folder went away under the walk: walk again
                return;
            }
            throw e;
        }
        for (Path file : files) {
            if (!file.equals(dir)) {
                Files.deleteIfExists(file);
            }
        }
    }
}
