package io.inceptionpipeline.pipeline.archive;

import io.inceptionpipeline.schemas.ClassScore;
import io.inceptionpipeline.schemas.ModelInfo;
import io.inceptionpipeline.schemas.Prediction;
import io.inceptionpipeline.schemas.Timings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.specific.SpecificDatumWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * Not a test but a measurement, run by hand (docs/benchmarks.md, "Archive resume: the answered-id
 * set"): the heap a rerun's answered-id set retains for N answered ids, read from a real prediction
 * part file, the old way (every {@link Prediction} decoded into a list, then a {@code
 * HashSet<String>} of their ids) and with {@link ArchiveOutput#answeredIds()}. Heap is measured
 * after full collections, so it is what stays reachable.
 *
 * <pre>
 * flock -x /tmp/cpu.lock mvn -B -ntp -o -q -pl pipeline -am test \
 *     -Dtest=AnsweredIdsHeapMeasurement -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Danswered.ids.measure=1000000
 * cat pipeline/target/surefire-reports/*AnsweredIdsHeapMeasurement-output.txt
 * </pre>
 */
@EnabledIfSystemProperty(named = "answered.ids.measure", matches = "\\d+")
class AnsweredIdsHeapMeasurement {

    @TempDir Path dir;

    @Test
    void measure() throws Exception {
        int n = Integer.getInteger("answered.ids.measure");
        ArchiveOutput output = new ArchiveOutput(dir);
        output.prepare();
        Path part = output.predictions().resolve("part-measure-0.avro");
        try (DataFileWriter<Prediction> writer =
                new DataFileWriter<>(new SpecificDatumWriter<>(Prediction.class))) {
            writer.create(Prediction.getClassSchema(), part.toFile());
            for (int i = 0; i < n; i++) {
                writer.append(prediction(id(i)));
            }
        }
        print(
                "%d predictions, top-5, no embedding: part file %.1f MB; ids like %s (%d chars)",
                n, Files.size(part) / 1e6, id(0), id(0).length());

        long baseline = usedHeap();
        long started = System.nanoTime();
        List<Prediction> records = output.readPredictions();
        Set<String> before = new HashSet<>();
        for (Prediction p : records) {
            before.add(p.getRequestId());
        }
        double beforeSeconds = (System.nanoTime() - started) / 1e9;
        long beforePeak = usedHeap() - baseline;
        java.lang.ref.Reference.reachabilityFence(records);
        records = null;
        long beforeRetained = usedHeap() - baseline;
        print(
                "before: records list + HashSet<String>: %.1f MB (%.0f B an id) while loading;"
                        + " HashSet<String> alone: %.1f MB (%.0f B an id); loaded in %.2f s",
                beforePeak / 1e6,
                (double) beforePeak / n,
                beforeRetained / 1e6,
                (double) beforeRetained / n,
                beforeSeconds);
        int size = before.size();
        before = null;

        baseline = usedHeap();
        started = System.nanoTime();
        try (AnsweredIds after = output.answeredIds()) {
            double afterSeconds = (System.nanoTime() - started) / 1e9;
            long afterRetained = usedHeap() - baseline;
            print(
                    "after: AnsweredIds: %.1f MB (%.1f B an id); loaded in %.2f s",
                    afterRetained / 1e6, (double) afterRetained / n, afterSeconds);
            started = System.nanoTime();
            int hits = 0;
            for (int i = 0; i < n; i++) {
                hits += after.contains(id(i)) ? 1 : 0;
                hits += after.contains(id(i) + "-new") ? 1 : 0;
            }
            print(
                    "lookups: %d answered + %d unanswered ids in %.2f s; %d found (of %d)",
                    n, n, (System.nanoTime() - started) / 1e9, hits, size);
            if (hits != n || after.size() != n) {
                throw new AssertionError("wrong set: " + hits + " hits, " + after.size());
            }
        }
    }

    private static String id(int i) {
        return String.format(Locale.ROOT, "s3://archive-bucket/images/2026/11/img-%07d.jpg", i);
    }

    private static Prediction prediction(String id) {
        List<ClassScore> top5 =
                List.of(
                        new ClassScore(1, "tench", 0.5f),
                        new ClassScore(2, "goldfish", 0.2f),
                        new ClassScore(3, "great white shark", 0.1f),
                        new ClassScore(4, "tiger shark", 0.1f),
                        new ClassScore(5, "hammerhead", 0.05f));
        return Prediction.newBuilder()
                .setRequestId(id)
                .setUri(id)
                .setModel(
                        new ModelInfo(
                                "inception_resnet_v2",
                                "0.1.0",
                                "sha256:0123456789abcdef",
                                "onnxruntime",
                                "fp32",
                                "cpu"))
                .setTopK(top5)
                .setCropMode("center")
                .setTimings(new Timings(1f, 2f, 3f, 4f))
                .setScoredAt(Instant.ofEpochMilli(1_700_000_000_000L))
                .build();
    }

    private static long usedHeap() throws InterruptedException {
        Runtime runtime = Runtime.getRuntime();
        for (int i = 0; i < 4; i++) {
            System.gc();
            Thread.sleep(100);
        }
        return runtime.totalMemory() - runtime.freeMemory();
    }

    private static void print(String format, Object... args) {
        System.out.println(String.format(Locale.ROOT, format, args));
    }
}
