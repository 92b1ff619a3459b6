package io.inceptionpipeline.pipeline.archive;

import java.io.PrintStream;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Answers counted by the archive sinks, per run, and the console bar that shows them. The sinks and
 * the bar meet in this JVM's static map: archive runs the job on a MiniCluster in the CLI's own
 * JVM, so the bar sees every subtask's count (on a remote cluster the count stays 0).
 */
public final class ArchiveProgress {

    private static final Map<String, Counter> ANSWERED = new ConcurrentHashMap<>();
    private static final Map<String, AtomicLong> READ = new ConcurrentHashMap<>();
    private static final Map<String, Listing> LISTINGS = new ConcurrentHashMap<>();

    /**
     * What a source that is counted as it lists (an S3 prefix) found so far: keys listed, how many
     * of them are to score, and whether the listing is complete.
     */
    record Listing(long keys, long toScore, boolean complete) {}

    /** Answers so far, and when the first came (0: none yet). */
    private static final class Counter {
        final AtomicLong count = new AtomicLong();
        final AtomicLong firstNanos = new AtomicLong();
        volatile long lastNanos;
    }

    private final String run;
    private final long total;
    private final long lines;
    private final long startedNanos = System.nanoTime();

    /**
     * The bar of {@code run}: {@code total} answers to come, from a source of {@code lines} lines
     * (manifest lines, or listed objects); a source listed as the job runs adds to both ({@link
     * #listed}).
     */
    public ArchiveProgress(String run, long total, long lines) {
        this.run = run;
        this.total = total;
        this.lines = lines;
        ANSWERED.put(run, new Counter());
        READ.put(run, new AtomicLong());
    }

    /** Counts one line (or listed object) of {@code run} read by its source. */
    static void read(String run) {
        AtomicLong counter = READ.get(run);
        if (counter != null) {
            counter.incrementAndGet();
        }
    }

    /** Counts {@code count} lines (or listed objects) of {@code run} read by its source. */
    static void read(String run, long count) {
        AtomicLong counter = READ.get(run);
        if (counter != null) {
            counter.addAndGet(count);
        }
    }

    /** What the listing of {@code run} found so far (totals, not increments). */
    static void listed(String run, long keys, long toScore, boolean complete) {
        if (READ.containsKey(run)) {
            LISTINGS.put(run, new Listing(keys, toScore, complete));
        }
    }

    /** Marks the totals as growing until the source, listed as the job runs, says it is done. */
    public void listingToCome() {
        listed(run, 0, 0, false);
    }

    /** Answers to come: known before the run, plus what the listing found so far. */
    public long total() {
        Listing listing = LISTINGS.get(run);
        return total + (listing == null ? 0 : listing.toScore());
    }

    /** Lines (or objects) of the source: known before the run, plus those listed so far. */
    public long lines() {
        Listing listing = LISTINGS.get(run);
        return lines + (listing == null ? 0 : listing.keys());
    }

    /** Whether a listing is still under way, so the totals may grow. */
    public boolean listing() {
        Listing listing = LISTINGS.get(run);
        return listing != null && !listing.complete();
    }

    /**
     * Records that {@code run}'s source has read its manifest through line {@code number} (1-based,
     * counted from the manifest's start): the count never goes back.
     */
    static void readThrough(String run, long number) {
        AtomicLong counter = READ.get(run);
        if (counter != null) {
            counter.accumulateAndGet(number, Math::max);
        }
    }

    /** Lines the source read so far. */
    public long linesRead() {
        AtomicLong counter = READ.get(run);
        return counter == null ? 0 : counter.get();
    }

    /** Counts one answer (prediction or dead letter) of {@code run}. */
    static void answered(String run) {
        Counter counter = ANSWERED.get(run);
        if (counter != null) {
            counter.firstNanos.compareAndSet(0, System.nanoTime());
            counter.count.incrementAndGet();
            counter.lastNanos = System.nanoTime();
        }
    }

    public long done() {
        Counter counter = ANSWERED.get(run);
        return counter == null ? 0 : counter.count.get();
    }

    /**
     * Images per second from the first answer to the latest: the steady rate, without the start-up
     * of the cluster and the model (NaN before two answers).
     */
    public double steadyRate() {
        Counter counter = ANSWERED.get(run);
        if (counter == null) {
            return Double.NaN;
        }
        long done = counter.count.get();
        double seconds = (counter.lastNanos - counter.firstNanos.get()) / 1e9;
        return done < 2 || seconds <= 0 ? Double.NaN : (done - 1) / seconds;
    }

    public double elapsedSeconds() {
        return (System.nanoTime() - startedNanos) / 1e9;
    }

    /**
     * One line: bar, done/total, percent, steady rate and the time left at that rate; a total still
     * growing with a listing ends in {@code +}.
     */
    public String line() {
        long total = total();
        long lines = lines();
        String more = listing() ? "+" : "";
        long done = Math.min(done(), total);
        double seconds = elapsedSeconds();
        double steady = steadyRate();
        double rate = Double.isNaN(steady) ? 0 : steady;
        int width = 30;
        // Nothing to do is all done, unless a listing may still find some.
        double fraction = total == 0 ? (more.isEmpty() ? 1 : 0) : (double) done / total;
        int filled = (int) (width * fraction);
        String eta = rate > 0 ? duration((total - done) / rate) : "--:--";
        return String.format(
                Locale.ROOT,
                "[%s%s] %d/%d%s %3.0f%% %.1f img/s ETA %s elapsed %s, %d/%d%s lines read",
                "#".repeat(filled),
                ".".repeat(width - filled),
                done,
                total,
                more,
                100.0 * fraction,
                rate,
                eta,
                duration(seconds),
                Math.min(linesRead(), lines),
                lines,
                more);
    }

    /** Redraws the bar in place on a terminal, else prints a line each call. */
    public void print(PrintStream err, boolean inPlace) {
        if (inPlace) {
            err.print("\r" + line());
        } else {
            err.println(line());
        }
        err.flush();
    }

    /** Forgets the run's counter. */
    public void close() {
        ANSWERED.remove(run);
        READ.remove(run);
        LISTINGS.remove(run);
    }

    static String duration(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600
                ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%02d:%02d", s / 60, s % 60);
    }
}
