package io.inceptionpipeline.pipeline.archive;

import static org.assertj.core.api.Assertions.assertThat;

import io.inceptionpipeline.operators.records.RawMessage;
import io.inceptionpipeline.pipeline.S3TestServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The S3 sources on a MiniCluster, through Flink's real checkpoint and restore: a job cancelled in
 * the middle of its input (checkpoints retained), then a new job restored from its latest
 * checkpoint, which emits exactly what that checkpoint had not. For a prefix, the enumerator's
 * continuation token and unassigned keys and the reader's keys; for a manifest object, the reader's
 * byte offset and line number (a ranged GET).
 */
class S3SourcesRestoreITCase {

    static final String BUCKET = "restore";
    static final int ITEMS = 50;

    @TempDir static Path work;
    static S3TestServer s3;
    static final List<String> keys = new ArrayList<>();
    static final List<String> lines = new ArrayList<>();

    /** What each run's operator saw, in order; per run, its count at each checkpoint. */
    static final Map<Integer, List<String>> SEEN = new ConcurrentHashMap<>();

    static final Map<Integer, Map<Long, Integer>> COUNT_AT_CHECKPOINT = new ConcurrentHashMap<>();
    static final Map<Integer, List<Long>> COMPLETED = new ConcurrentHashMap<>();

    @BeforeAll
    static void start() throws Exception {
        s3 = S3TestServer.start(Files.createDirectories(work.resolve("s3")));
        s3.createBucket(BUCKET);
        StringBuilder manifest = new StringBuilder();
        try (S3Client client = s3.client()) { // one client for all uploads
            for (int i = 0; i < ITEMS; i++) {
                String key = String.format("p/%03d.png", i);
                keys.add(S3Listing.uri(BUCKET, key));
                client.putObject(b -> b.bucket(BUCKET).key(key), RequestBody.fromString("x"));
                lines.add((i + 1) + ":item-" + i + ",s3://" + BUCKET + "/" + key);
                manifest.append("item-").append(i).append(",s3://" + BUCKET + "/" + key);
                manifest.append(i % 2 == 0 ? "\r\n" : "\n");
            }
            client.putObject(
                    b -> b.bucket(BUCKET).key("m/batch.csv"),
                    RequestBody.fromString(manifest.toString()));
        }
    }

    @AfterAll
    static void stop() throws Exception {
        s3.close();
    }

    /**
     * Chained to the source (same parallelism, forward), so its slowness is the reader's: the
     * source advances only as records are taken. Notes its count at each checkpoint.
     */
    static final class SlowRecorder extends RichMapFunction<String, String>
            implements CheckpointedFunction, CheckpointListener {
        private final int run;

        SlowRecorder(int run) {
            this.run = run;
        }

        @Override
        public String map(String item) throws InterruptedException {
            Thread.sleep(25);
            SEEN.computeIfAbsent(run, r -> new CopyOnWriteArrayList<>()).add(item);
            return item;
        }

        @Override
        public void snapshotState(FunctionSnapshotContext context) {
            int count = SEEN.getOrDefault(run, List.of()).size();
            COUNT_AT_CHECKPOINT
                    .computeIfAbsent(run, r -> new ConcurrentHashMap<>())
                    .put(context.getCheckpointId(), count);
        }

        @Override
        public void initializeState(FunctionInitializationContext context) {}

        @Override
        public void notifyCheckpointComplete(long checkpointId) {
            COMPLETED.computeIfAbsent(run, r -> new CopyOnWriteArrayList<>()).add(checkpointId);
        }
    }

    static <T> StreamExecutionEnvironment job(
            Source<T, ?, ?> source,
            MapFunction<T, String> describe,
            Path checkpoints,
            Path restore,
            int run) {
        Configuration conf = new Configuration();
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        conf.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
        conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpoints.toUri().toString());
        conf.set(
                CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION,
                ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
        if (restore != null) {
            conf.set(StateRecoveryOptions.SAVEPOINT_PATH, restore.toUri().toString());
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.enableCheckpointing(100);
        env.setParallelism(1);
        env.fromSource(source, WatermarkStrategy.noWatermarks(), "source")
                .uid("source")
                .map(describe)
                .uid("describe")
                .map(new SlowRecorder(run))
                .uid("slow")
                .sinkTo(new DiscardingSink<>());
        return env;
    }

    /**
     * Runs {@code first} until a checkpoint after 8 items completed, cancels it, restores its
     * latest checkpoint into {@code second}; returns what the checkpoint covered of the first run
     * followed by all the second run saw.
     */
    static List<String> cancelAndRestore(
            Function<Path, StreamExecutionEnvironment> first,
            int firstRun,
            Function<Path, StreamExecutionEnvironment> second,
            int secondRun,
            Path checkpoints)
            throws Exception {
        JobClient client = first.apply(null).executeAsync("first");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (COMPLETED.getOrDefault(firstRun, List.of()).stream()
                .noneMatch(id -> COUNT_AT_CHECKPOINT.get(firstRun).getOrDefault(id, 0) >= 8)) {
            assertThat(System.nanoTime()).as("a checkpoint after 8 items").isLessThan(deadline);
            Thread.sleep(10);
        }
        client.cancel().get(30, TimeUnit.SECONDS);

        Path latest = new ArchiveCheckpoints(checkpoints).latest().orElseThrow();
        long checkpointId = Long.parseLong(latest.getFileName().toString().substring(4));
        int covered = COUNT_AT_CHECKPOINT.get(firstRun).get(checkpointId);
        // The prefix's enumerator holds under two pages (14 keys), its reader one split (3): a
        // checkpoint with at most 32 items taken was taken before the listing's last page.
        assertThat(covered).isBetween(8, ITEMS - 2 * 7 - 3 - 1);

        second.apply(latest).execute("second");
        List<String> both = new ArrayList<>(SEEN.get(firstRun).subList(0, covered));
        both.addAll(SEEN.get(secondRun));
        return both;
    }

    @Test
    void aPrefixRestoredInTheMiddleOfTheListingListsOnAndEmitsTheRestOnce() throws Exception {
        Path checkpoints = Files.createDirectories(work.resolve("prefix-checkpoints"));
        S3PrefixSource source =
                new S3PrefixSource(
                        new S3Input(BUCKET, "p/"), s3.access(BUCKET), null, "restore-test", 7, 3);
        MapFunction<RawMessage, String> id = m -> new String(m.key, StandardCharsets.UTF_8);
        List<String> both =
                cancelAndRestore(
                        restore -> job(source, id, checkpoints, restore, 1),
                        1,
                        restore -> job(source, id, checkpoints, restore, 2),
                        2,
                        checkpoints);
        assertThat(both).containsExactlyElementsOf(keys);
    }

    @Test
    void aManifestObjectRestoredInTheMiddleReadsOnFromItsOffsetWithItsLineNumbers()
            throws Exception {
        Path checkpoints = Files.createDirectories(work.resolve("manifest-checkpoints"));
        S3ManifestSource source =
                new S3ManifestSource(new S3Input(BUCKET, "m/batch.csv"), s3.access(BUCKET));
        MapFunction<ManifestLine, String> numbered = line -> line.number + ":" + line.text;
        List<String> both =
                cancelAndRestore(
                        restore -> job(source, numbered, checkpoints, restore, 3),
                        3,
                        restore -> job(source, numbered, checkpoints, restore, 4),
                        4,
                        checkpoints);
        assertThat(both).containsExactlyElementsOf(lines);
    }
}
