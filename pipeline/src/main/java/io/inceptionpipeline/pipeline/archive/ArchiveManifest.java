package io.inceptionpipeline.pipeline.archive;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads a manifest, the format {@code produce --manifest} reads: one image per line, either a bare
 * URI or path (whose id is the line as written) or {@code id,uri} (CSV; the URI is everything after
 * the first comma, so URIs may hold commas). A line is {@code id,uri} when the text before its
 * first comma holds no {@code :}, so a URI is never taken for an id. A path (no {@code :}) becomes
 * a {@code file://} URI, relative paths against the working directory. Blank lines, lines starting
 * with {@code #} and a first line {@code id,uri} are skipped. A repeated id keeps its first line:
 * every id is scored once.
 */
public final class ArchiveManifest {

    /** The manifest's items, and how many repeated ids were left out. */
    public record Contents(List<ArchiveItem> items, int duplicates) {}

    private ArchiveManifest() {}

    public static Contents read(Path file) throws IOException {
        List<ArchiveItem> items = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        int duplicates = 0;
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            long number = 0;
            while ((line = in.readLine()) != null) {
                number++;
                ArchiveItem item = parse(line, number);
                if (item == null) {
                    continue;
                }
                if (seen.add(item.id())) {
                    items.add(item);
                } else {
                    duplicates++;
                }
            }
        }
        return new Contents(items, duplicates);
    }

    /** The item on one line, or null for a line that lists none. */
    static ArchiveItem parse(String line, long number) {
        String text = line.strip();
        if (text.isEmpty() || text.startsWith("#")) {
            return null;
        }
        int comma = text.indexOf(',');
        if (comma >= 0 && text.substring(0, comma).indexOf(':') < 0) {
            String id = text.substring(0, comma).strip();
            String uri = text.substring(comma + 1).strip();
            if (number == 1 && id.equalsIgnoreCase("id") && uri.equalsIgnoreCase("uri")) {
                return null; // header
            }
            // An id without a URI stays: the job answers it with a dead letter.
            return new ArchiveItem(id.isEmpty() ? "line-" + number : id, toUri(uri), number);
        }
        return new ArchiveItem(text, toUri(text), number);
    }

    private static String toUri(String uriOrPath) {
        if (uriOrPath.isEmpty() || uriOrPath.contains(":")) {
            return uriOrPath;
        }
        try {
            return Path.of(uriOrPath).toAbsolutePath().normalize().toUri().toString();
        } catch (java.nio.file.InvalidPathException e) {
            return uriOrPath; // the fetcher's INVALID_URI dead letter says why
        }
    }
}
