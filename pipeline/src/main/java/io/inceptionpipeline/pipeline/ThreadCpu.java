package io.inceptionpipeline.pipeline;

import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.StringJoiner;
import java.util.regex.Pattern;

/**
 * Where this JVM's cores go, by kind of thread: the CPU time of every thread, native ones included
 * (ONNX Runtime's and MXNet's pools take the name of the thread that created them), read from
 * Linux's {@code /proc/self/task/TID/stat} and grouped by thread name. {@code local --compare-raw}
 * prints it for the job's sustained window, so that the pipeline/raw ratio says what the rest of
 * the job took from inference. Elsewhere than Linux there is nothing to read and {@link #now()} is
 * empty.
 */
public final class ThreadCpu {

    /**
     * Kinds of threads, told apart by the names Flink, Kafka and HotSpot give: a Flink task thread
     * is named after its chain of operators, whose names {@link ScoringJob} sets.
     */
    public enum Kind {
        INFERENCE("inference"),
        FETCH_DECODE("fetch and decode"),
        JOB_KAFKA_IO("Kafka source and sinks"),
        KAFKA("Kafka broker and clients"),
        JIT("JIT compilers"),
        GC("GC"),
        OTHER("Flink and the rest");

        private final String label;

        Kind(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }

        /**
         * The kind of a thread by its Linux name ({@code comm}: the first 15 bytes of the Java
         * thread's name, or the creating thread's for native threads).
         */
        public static Kind of(String name) {
            if (name.startsWith("batch-inferenc")) {
                return INFERENCE;
            }
            if (startsWithAny(name, "drop-duplicate", "fetch", "decode-crop", "image-file-read")) {
                return FETCH_DECODE;
            }
            if (startsWithAny(
                    name,
                    "Source: ",
                    "Source Data Fet",
                    "predictions",
                    "dead-letters",
                    "count-failures",
                    "normalize-embed")) {
                return JOB_KAFKA_IO;
            }
            if (startsWithAny(
                    name,
                    "kafka",
                    "data-plane-kafk",
                    "broker-",
                    "controller-",
                    "quorum-",
                    "raft-",
                    "group-coordinat",
                    "share-coordinat",
                    "transaction-",
                    "TxnMarkerSender",
                    "AddPartitionsTo",
                    "PersisterStateM",
                    "ExpirationReape",
                    "LogDirFailureHa",
                    "metrics-meter-t",
                    "log-cleaner")) {
                return KAFKA;
            }
            if (name.startsWith("C1 CompilerThre") || name.startsWith("C2 CompilerThre")) {
                return JIT;
            }
            if (startsWithAny(name, "GC Thread", "G1 ", "VM Thread")) {
                return GC;
            }
            return OTHER;
        }

        private static boolean startsWithAny(String name, String... prefixes) {
            for (String prefix : prefixes) {
                if (name.startsWith(prefix)) {
                    return true;
                }
            }
            return false;
        }
    }

    /**
     * One thread at one instant: its name, when it started (clock ticks after boot: a thread id the
     * kernel gives again belongs to another thread) and the CPU seconds it has used so far.
     */
    record ThreadTime(String name, long started, double cpuSeconds) {
        static ThreadTime of(String stat) {
            String[] fields = fieldsAfterName(stat);
            // proc(5) numbers the fields from 1; the state, right after the name, is field 3
            long ticks = Long.parseLong(fields[14 - 3]) + Long.parseLong(fields[15 - 3]);
            return new ThreadTime(
                    nameIn(stat), Long.parseLong(fields[22 - 3]), ticks / TICKS_PER_SECOND);
        }
    }

    /** Every thread of the JVM at one instant, by thread id. */
    public record Sample(long wallMillis, Map<Integer, ThreadTime> threads) {}

    /** Two samples, {@code from} before {@code to}: the time between them. */
    public record Interval(Sample from, Sample to) {
        /** {@link ThreadCpu#shares} between the two samples. */
        public String shares(int processors) {
            return ThreadCpu.shares(from, to, processors);
        }
    }

    /** What {@code /proc} counts CPU time in: USER_HZ, 100 on every Linux ABI. */
    private static final double TICKS_PER_SECOND = 100;

    private static final Pattern SPACES = Pattern.compile(" +");

    private static final File TASKS = new File("/proc/self/task");

    private ThreadCpu() {}

    /** Every thread of this JVM now; empty where {@code /proc/self/task} cannot be read. */
    public static Optional<Sample> now() {
        long wall = System.currentTimeMillis();
        String[] tids = TASKS.list();
        if (tids == null) {
            return Optional.empty();
        }
        Map<Integer, ThreadTime> threads = new HashMap<>();
        byte[] buffer = new byte[1024]; // a stat line is about 300 bytes
        for (String tid : tids) {
            try (FileInputStream in = new FileInputStream(new File(new File(TASKS, tid), "stat"))) {
                int length = in.readNBytes(buffer, 0, buffer.length);
                threads.put(
                        Integer.parseInt(tid),
                        ThreadTime.of(new String(buffer, 0, length, StandardCharsets.ISO_8859_1)));
            } catch (IOException | RuntimeException e) {
                // the thread ended while we read it
            }
        }
        return threads.isEmpty() ? Optional.empty() : Optional.of(new Sample(wall, threads));
    }

    /** The thread's name in a {@code stat} line: between the first '(' and the last ')'. */
    static String nameIn(String stat) {
        return stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    }

    /** The fields of a {@code stat} line after the name (which may hold spaces). */
    private static String[] fieldsAfterName(String stat) {
        return SPACES.split(stat.substring(stat.lastIndexOf(')') + 1).trim());
    }

    /**
     * CPU seconds per kind between two samples: each thread alive at {@code to}, less what it had
     * used at {@code from} (nothing if it started since). A thread that ended in between is not
     * counted.
     */
    static Map<Kind, Double> cpuSecondsBetween(Sample from, Sample to) {
        Map<Kind, Double> byKind = new EnumMap<>(Kind.class);
        for (Kind kind : Kind.values()) {
            byKind.put(kind, 0.0);
        }
        to.threads()
                .forEach(
                        (tid, now) -> {
                            ThreadTime before = from.threads().get(tid);
                            double used =
                                    before != null && before.started() == now.started()
                                            ? now.cpuSeconds() - before.cpuSeconds()
                                            : now.cpuSeconds();
                            byKind.merge(Kind.of(now.name()), Math.max(0, used), Double::sum);
                        });
        return byKind;
    }

    /**
     * The share of {@code processors} cores each kind took between two samples, the kinds that took
     * any, most first, then the idle rest: {@code "inference 86.4%, JIT compilers 3.1%, ..., idle
     * 4.2%"}.
     */
    public static String shares(Sample from, Sample to, int processors) {
        double available = (to.wallMillis() - from.wallMillis()) / 1000.0 * processors;
        if (available <= 0) {
            throw new IllegalArgumentException("the samples must be in time order, apart");
        }
        Map<Kind, Double> byKind = cpuSecondsBetween(from, to);
        StringJoiner out = new StringJoiner(", ");
        double used = 0;
        List<Map.Entry<Kind, Double>> kinds = new ArrayList<>(byKind.entrySet());
        kinds.sort(Map.Entry.<Kind, Double>comparingByValue().reversed());
        for (Map.Entry<Kind, Double> e : kinds) {
            used += e.getValue();
            if (e.getValue() > 0) {
                out.add(
                        String.format(
                                Locale.ROOT,
                                "%s %.1f%%",
                                e.getKey().label(),
                                100 * e.getValue() / available));
            }
        }
        out.add(String.format(Locale.ROOT, "idle %.1f%%", 100 * Math.max(0, 1 - used / available)));
        return out.toString();
    }

    /** The share of {@code processors} cores all threads together took between two samples. */
    public static double busy(Sample from, Sample to, int processors) {
        double available = (to.wallMillis() - from.wallMillis()) / 1000.0 * processors;
        double used =
                cpuSecondsBetween(from, to).values().stream()
                        .mapToDouble(Double::doubleValue)
                        .sum();
        return used / available;
    }

    /**
     * Takes a {@link Sample} every {@code period} in a daemon thread until closed, so that a window
     * known only afterwards (the sustained window of a run, from its predictions) can be measured.
     * One sample reads a small file per thread: about 4 ms of one core for the 270 threads of
     * {@code local}'s JVM (measured on the Zen 5 of docs/benchmarks.md), so every second costs 0.2%
     * of a core.
     */
    public static final class Sampler implements AutoCloseable {
        private final List<Sample> samples = new ArrayList<>();
        private final Thread thread;

        public Sampler(Duration period) {
            this.thread =
                    new Thread(
                            () -> {
                                try {
                                    while (!Thread.currentThread().isInterrupted()) {
                                        now().ifPresent(this::add);
                                        Thread.sleep(period.toMillis());
                                    }
                                } catch (InterruptedException e) {
                                    // closed
                                }
                            },
                            "thread-cpu-sampler");
            thread.setDaemon(true);
            thread.start();
        }

        private synchronized void add(Sample sample) {
            samples.add(sample);
        }

        /**
         * The first and last samples taken within {@code [fromMillis, toMillis]}; empty if fewer
         * than two were.
         */
        public synchronized Optional<Interval> within(long fromMillis, long toMillis) {
            List<Sample> inside =
                    samples.stream()
                            .filter(s -> s.wallMillis() >= fromMillis && s.wallMillis() <= toMillis)
                            .toList();
            if (inside.size() < 2) {
                return Optional.empty();
            }
            return Optional.of(new Interval(inside.get(0), inside.get(inside.size() - 1)));
        }

        @Override
        public void close() throws InterruptedException {
            thread.interrupt();
            thread.join();
        }
    }
}
