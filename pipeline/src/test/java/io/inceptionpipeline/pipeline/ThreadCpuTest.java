package io.inceptionpipeline.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.inceptionpipeline.pipeline.ThreadCpu.Kind;
import io.inceptionpipeline.pipeline.ThreadCpu.Sample;
import io.inceptionpipeline.pipeline.ThreadCpu.ThreadTime;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Where the cores go: Linux's per-thread CPU times, read, grouped by thread name and shared out.
 */
class ThreadCpuTest {

    /** A proc(5) stat line of a thread with this name, start time and user/system ticks. */
    private static String stat(int tid, String name, long started, long user, long system) {
        return tid
                + " ("
                + name
                + ") S 1 1 1 0 -1 4194368 12 0 0 0 "
                + user
                + " "
                + system
                + " 0 0 20 0 40 0 "
                + started
                + " 9000000 300 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 -1 1 0 0 0 0 0\n";
    }

    @Test
    void readsTheNameStartAndCpuSecondsOfAStatLine() {
        ThreadTime t = ThreadTime.of(stat(42, "C2 CompilerThre", 777, 1234, 56));
        assertEquals("C2 CompilerThre", t.name());
        assertEquals(777, t.started());
        assertEquals(12.90, t.cpuSeconds(), 1e-9);

        // a name may hold spaces and parentheses: it ends at the last ')'
        ThreadTime odd = ThreadTime.of(stat(43, "a) (b c", 5, 100, 0));
        assertEquals("a) (b c", odd.name());
        assertEquals(1.0, odd.cpuSeconds(), 1e-9);
    }

    @Test
    void tellsTheKindsOfThreadApartByName() {
        assertEquals(Kind.INFERENCE, Kind.of("batch-inference"));
        assertEquals(Kind.FETCH_DECODE, Kind.of("drop-duplicate-"));
        assertEquals(Kind.FETCH_DECODE, Kind.of("decode-crop (1/"));
        assertEquals(Kind.FETCH_DECODE, Kind.of("image-file-read"));
        assertEquals(Kind.JOB_KAFKA_IO, Kind.of("Source: request"));
        assertEquals(Kind.JOB_KAFKA_IO, Kind.of("predictions: Wr"));
        assertEquals(Kind.KAFKA, Kind.of("data-plane-kafk"));
        assertEquals(Kind.KAFKA, Kind.of("kafka-producer-"));
        assertEquals(Kind.JIT, Kind.of("C1 CompilerThre"));
        assertEquals(Kind.GC, Kind.of("GC Thread#0"));
        assertEquals(Kind.GC, Kind.of("G1 Conc#0"));
        assertEquals(Kind.OTHER, Kind.of("flink-scheduler"));
        assertEquals(Kind.OTHER, Kind.of("java"));
    }

    @Test
    void sharesOutTheCoresBetweenTwoSamples() {
        Sample from =
                new Sample(
                        1_000,
                        Map.of(
                                1, new ThreadTime("batch-inference", 10, 8.0),
                                2, new ThreadTime("C2 CompilerThre", 10, 3.0),
                                3, new ThreadTime("drop-duplicate-", 10, 0.5),
                                4, new ThreadTime("flink-scheduler", 10, 2.0),
                                5, new ThreadTime("kafka-producer-", 10, 1.0)));
        Sample to =
                new Sample(
                        11_000, // 10 s later, 20 core-seconds on 2 processors
                        Map.of(
                                1, new ThreadTime("batch-inference", 10, 25.0), // +17
                                2, new ThreadTime("C2 CompilerThre", 10, 4.0), // +1
                                // thread 3 ended: not counted
                                // thread 4's id now belongs to a thread started since: all of it
                                4, new ThreadTime("flink-scheduler", 900, 0.4),
                                5, new ThreadTime("kafka-producer-", 10, 1.2), // +0.2
                                6, new ThreadTime("GC Thread#0", 950, 0.1))); // new: +0.1
        assertEquals(
                "inference 85.0%, JIT compilers 5.0%, Flink and the rest 2.0%,"
                        + " Kafka broker and clients 1.0%, GC 0.5%, idle 6.5%",
                ThreadCpu.shares(from, to, 2));
        assertEquals(0.935, ThreadCpu.busy(from, to, 2), 1e-9);
        assertThrows(IllegalArgumentException.class, () -> ThreadCpu.shares(to, from, 2));
    }

    @Test
    void countsTheCpuAThreadOfThisJvmBurnsUnderItsKind() throws Exception {
        assumeTrue(Files.isDirectory(Path.of("/proc/self/task")), "Linux only: /proc/self/task");
        Sample from = ThreadCpu.now().orElseThrow();
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        AtomicLong sink = new AtomicLong();
        Thread burner =
                new Thread(
                        () -> {
                            long x = 0;
                            // 300 ms of this thread's own CPU, however busy the machine is
                            while (mx.getCurrentThreadCpuTime() < 300_000_000L) {
                                for (int i = 0; i < 100_000; i++) {
                                    x += i * 31L ^ x;
                                }
                            }
                            sink.set(x);
                        },
                        "batch-inference-test");
        burner.start();
        // sampled while the thread is alive: one that ended is not counted
        Sample to = null;
        while (burner.isAlive()) {
            to = ThreadCpu.now().orElseThrow();
            Thread.sleep(20);
        }
        burner.join();
        assertTrue(to != null && to.wallMillis() > from.wallMillis());
        double inference = ThreadCpu.cpuSecondsBetween(from, to).get(Kind.INFERENCE);
        // the last sample may precede the thread's last 20 ms; the kernel counts in 10 ms ticks
        assertTrue(inference >= 0.2 && inference <= 0.5, "inference CPU seconds: " + inference);
    }

    @Test
    void aSamplerFindsTheSamplesWithinAWindow() throws Exception {
        assumeTrue(Files.isDirectory(Path.of("/proc/self/task")), "Linux only: /proc/self/task");
        long start = System.currentTimeMillis();
        ThreadCpu.Sampler sampler = new ThreadCpu.Sampler(Duration.ofMillis(10));
        Thread.sleep(200);
        sampler.close();
        long end = System.currentTimeMillis();
        ThreadCpu.Interval window = sampler.within(start, end).orElseThrow();
        assertTrue(window.from().wallMillis() < window.to().wallMillis());
        assertTrue(window.from().threads().size() > 1);
        assertTrue(sampler.within(end + 1, end + 1000).isEmpty());
    }
}
