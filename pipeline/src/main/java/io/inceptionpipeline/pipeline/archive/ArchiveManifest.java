package io.inceptionpipeline.pipeline.archive;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
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

    /**
     * What a pass over a manifest counted: its lines, the distinct ids it lists, the lines left out
     * as repeated ids, and how many of its ids were already answered.
     */
    public record Scan(long lines, long listed, long duplicates, long answered) {

        /** The ids this run is to answer. */
        public long toScore() {
            return listed - answered;
        }
    }

    private ArchiveManifest() {}

    /**
     * Counts a manifest without keeping its items: ids are kept as 64-bit fingerprints (8 bytes an
     * item, for this pass only), so a 10-million-line manifest costs 80 MB here, not gigabytes. Two
     * different ids share a fingerprint with a probability of about n²/2⁶⁵ (3·10⁻⁸ at a million
     * ids), which would only miscount the report, never the run: the job itself compares ids
     * exactly ({@link AnsweredIds#contains} is exact).
     */
    public static Scan scan(Path file, AnsweredIds answeredIds) throws IOException {
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return scan(in, answeredIds);
        }
    }

    /** {@link #scan(Path, AnsweredIds)} over a manifest's text from any source (an S3 object). */
    public static Scan scan(BufferedReader in, AnsweredIds answeredIds) throws IOException {
        long[] ids = new long[1024];
        int count = 0;
        long[] answered = new long[16];
        int answeredCount = 0;
        long lines = 0;
        String line;
        while ((line = in.readLine()) != null) {
            lines++;
            ArchiveItem item = parse(line, lines);
            if (item == null) {
                continue;
            }
            long id = fingerprint(item.id());
            if (count == ids.length) {
                ids = Arrays.copyOf(ids, ids.length * 2);
            }
            ids[count++] = id;
            if (answeredIds.contains(item.id())) {
                if (answeredCount == answered.length) {
                    answered = Arrays.copyOf(answered, answered.length * 2);
                }
                answered[answeredCount++] = id;
            }
        }
        long distinct = distinct(ids, count);
        return new Scan(lines, distinct, count - distinct, distinct(answered, answeredCount));
    }

    /** How many distinct values the first {@code count} of {@code values} hold; sorts them. */
    private static long distinct(long[] values, int count) {
        Arrays.sort(values, 0, count);
        long distinct = 0;
        for (int i = 0; i < count; i++) {
            if (i == 0 || values[i] != values[i - 1]) {
                distinct++;
            }
        }
        return distinct;
    }

    /** FNV-1a over the id's UTF-16 chars, then a 64-bit finalizer (SplitMix64) to spread bits. */
    static long fingerprint(String id) {
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < id.length(); i++) {
            h ^= id.charAt(i);
            h *= 0x100000001b3L;
        }
        h ^= h >>> 30;
        h *= 0xbf58476d1ce4e5b9L;
        h ^= h >>> 27;
        h *= 0x94d049bb133111ebL;
        return h ^ (h >>> 31);
    }

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
