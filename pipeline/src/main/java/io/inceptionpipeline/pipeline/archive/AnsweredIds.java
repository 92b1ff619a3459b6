package io.inceptionpipeline.pipeline.archive;

import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.function.ToLongFunction;

/**
 * The ids an archive output already answered, as a rerun asks about them ({@link
 * ArchiveOutput#answeredIds()}): {@link #contains} is exact, and the heap holds 16 bytes an id
 * whatever the id's length (16 MB for a million ids).
 *
 * <p>On the heap: a 64-bit fingerprint of each id and where the id's UTF-8 bytes lie in a spill
 * file, as two {@code long[]} sorted by fingerprint. {@link #contains} finds the entries of the
 * id's fingerprint by binary search and compares each one's stored id, read back from the spill
 * file, with the id asked about, byte for byte. So a fingerprint collision costs one more read and
 * can never make an unanswered id look answered (which would leave it unscored, silently); and an
 * unreadable spill file fails the lookup ({@link UncheckedIOException}) rather than answer yes.
 * Nearly every hit is a real one (an unanswered id shares a fingerprint with one of a million
 * answered ids with probability 10⁶/2⁶⁴), so a rerun reads each answered id back once.
 *
 * <p>The spill file is a temporary file, unlinked as soon as it is open where the file system
 * allows it (POSIX: a killed JVM leaves nothing behind), else deleted by {@link #close()}. Each
 * lookup reads by position into its own buffer, so concurrent lookups are safe. Ids are compared in
 * UTF-8, the form they have in the Avro part files the answered ids come from.
 */
public final class AnsweredIds implements AutoCloseable {

    private static final AnsweredIds NONE = new AnsweredIds(new long[0], new long[0], null, null);

    private final long[] fingerprints;
    private final long[] offsets;
    private final FileChannel spill; // null: no ids
    private final Path leftToDelete; // null: unlinked already, or no file
    private final ToLongFunction<String> fingerprint;

    private AnsweredIds(long[] fingerprints, long[] offsets, FileChannel spill, Path leftToDelete) {
        this(fingerprints, offsets, spill, leftToDelete, ArchiveManifest::fingerprint);
    }

    private AnsweredIds(
            long[] fingerprints,
            long[] offsets,
            FileChannel spill,
            Path leftToDelete,
            ToLongFunction<String> fingerprint) {
        this.fingerprints = fingerprints;
        this.offsets = offsets;
        this.spill = spill;
        this.leftToDelete = leftToDelete;
        this.fingerprint = fingerprint;
    }

    /** No id answered. */
    public static AnsweredIds none() {
        return NONE;
    }

    /**
     * Collects ids, then {@link Builder#build()}s the set; fingerprints by {@link ArchiveManifest}.
     */
    public static Builder builder() throws IOException {
        return new Builder(ArchiveManifest::fingerprint);
    }

    /** With another fingerprint function: tests make ids collide with it. */
    static Builder builder(ToLongFunction<String> fingerprint) throws IOException {
        return new Builder(fingerprint);
    }

    /** The set of {@code ids}. */
    static AnsweredIds of(Iterable<String> ids) throws IOException {
        return of(ids, ArchiveManifest::fingerprint);
    }

    static AnsweredIds of(Iterable<String> ids, ToLongFunction<String> fingerprint)
            throws IOException {
        try (Builder builder = builder(fingerprint)) {
            for (String id : ids) {
                builder.add(id);
            }
            return builder.build();
        }
    }

    /** Entries held: the ids added (an id added twice counts twice). */
    public int size() {
        return fingerprints.length;
    }

    /** Whether {@code id} was added: exact, whatever the fingerprints. */
    public boolean contains(String id) {
        if (fingerprints.length == 0) {
            return false;
        }
        long key = fingerprint.applyAsLong(id);
        int at = Arrays.binarySearch(fingerprints, key);
        if (at < 0) {
            return false;
        }
        while (at > 0 && fingerprints[at - 1] == key) {
            at--;
        }
        byte[] wanted = id.getBytes(StandardCharsets.UTF_8);
        for (int i = at; i < fingerprints.length && fingerprints[i] == key; i++) {
            if (storedIdEquals(offsets[i], wanted)) {
                return true;
            }
        }
        return false;
    }

    /** Whether the id stored at {@code offset} (length, then UTF-8 bytes) is {@code wanted}. */
    private boolean storedIdEquals(long offset, byte[] wanted) {
        ByteBuffer stored = ByteBuffer.allocate(Integer.BYTES + wanted.length);
        try {
            while (stored.hasRemaining()) {
                if (spill.read(stored, offset + stored.position()) < 0) {
                    break; // the last entry, shorter than wanted
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read back the answered ids' spill file", e);
        }
        stored.flip();
        if (stored.remaining() < Integer.BYTES || stored.getInt() != wanted.length) {
            return false;
        }
        return stored.remaining() == wanted.length && stored.equals(ByteBuffer.wrap(wanted));
    }

    /** Closes the spill file and deletes it if it was not unlinked already. */
    @Override
    public void close() throws IOException {
        if (spill != null) {
            spill.close();
        }
        if (leftToDelete != null) {
            Files.deleteIfExists(leftToDelete);
        }
    }

    /**
     * Appends each id to the spill file and keeps its fingerprint and offset; {@link #build()}
     * sorts them. Closing a builder that was not built deletes its file.
     */
    public static final class Builder implements AutoCloseable {

        private final ToLongFunction<String> fingerprint;
        private final Path file;
        private final DataOutputStream out;
        private long[] fingerprints = new long[1024];
        private long[] offsets = new long[1024];
        private int size;
        private long written;
        private boolean built;

        private Builder(ToLongFunction<String> fingerprint) throws IOException {
            this.fingerprint = fingerprint;
            this.file = Files.createTempFile("inception-answered-ids-", ".bin");
            this.out =
                    new DataOutputStream(
                            new BufferedOutputStream(Files.newOutputStream(file), 1 << 16));
        }

        /** The spill file. */
        Path file() {
            return file;
        }

        public void add(String id) throws IOException {
            if (size == fingerprints.length) {
                int grown = Math.max(size + 1, (int) Math.min(Integer.MAX_VALUE - 8, size * 2L));
                fingerprints = Arrays.copyOf(fingerprints, grown);
                offsets = Arrays.copyOf(offsets, grown);
            }
            byte[] bytes = id.getBytes(StandardCharsets.UTF_8);
            fingerprints[size] = fingerprint.applyAsLong(id);
            offsets[size] = written;
            size++;
            out.writeInt(bytes.length);
            out.write(bytes);
            written += Integer.BYTES + bytes.length;
        }

        public AnsweredIds build() throws IOException {
            built = true;
            out.close();
            if (size == 0) {
                Files.deleteIfExists(file);
                return new AnsweredIds(new long[0], new long[0], null, null, fingerprint);
            }
            long[] sortedFingerprints = Arrays.copyOf(fingerprints, size);
            long[] sortedOffsets = Arrays.copyOf(offsets, size);
            fingerprints = null;
            offsets = null;
            sortByFirst(sortedFingerprints, sortedOffsets);
            FileChannel spill = FileChannel.open(file, StandardOpenOption.READ);
            Path leftToDelete = null;
            try {
                Files.delete(file); // the open channel keeps reading it
            } catch (IOException e) {
                leftToDelete = file; // a file system that cannot unlink an open file
            }
            return new AnsweredIds(
                    sortedFingerprints, sortedOffsets, spill, leftToDelete, fingerprint);
        }

        @Override
        public void close() throws IOException {
            if (!built) {
                out.close();
                Files.deleteIfExists(file);
            }
        }
    }

    /** Heapsort of {@code keys}, moving {@code values} along: in place, O(n log n). */
    static void sortByFirst(long[] keys, long[] values) {
        int n = keys.length;
        for (int i = n / 2 - 1; i >= 0; i--) {
            siftDown(keys, values, i, n);
        }
        for (int end = n - 1; end > 0; end--) {
            swap(keys, values, 0, end);
            siftDown(keys, values, 0, end);
        }
    }

    private static void siftDown(long[] keys, long[] values, int i, int n) {
        while (true) {
            int child = 2 * i + 1;
            if (child >= n) {
                return;
            }
            if (child + 1 < n && keys[child + 1] > keys[child]) {
                child++;
            }
            if (keys[i] >= keys[child]) {
                return;
            }
            swap(keys, values, i, child);
            i = child;
        }
    }

    private static void swap(long[] keys, long[] values, int i, int j) {
        long key = keys[i];
        keys[i] = keys[j];
        keys[j] = key;
        long value = values[i];
        values[i] = values[j];
        values[j] = value;
    }
}
