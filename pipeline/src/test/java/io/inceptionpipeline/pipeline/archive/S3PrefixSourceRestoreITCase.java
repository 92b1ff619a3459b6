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
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.state.CheckpointListener;
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
 * The S3 prefix source on a MiniCluster: a job cancelled in the middle of the listing (its
 * checkpoints retained), then a new job restored from its latest checkpoint, which emits exactly
 * the keys that checkpoint had not: the enumerator's continuation token and unassigned keys and the
 * reader's keys go through Flink's real checkpoint and restore.
 */
class S3PrefixSourceRestoreITCase {

    static final String BUCKET = "restore";
    static final int OBJECTS = 50;

    @TempDir static Path work;
    static S3TestServer s3;
    static final List<String> keys = new ArrayList<>();

    /** Keys each run's operator saw, in order; its count at each checkpoint. */
    static final Map<Integer, List<String>> SEEN = new ConcurrentHashMap<>();

    static final Map<Long, Integer> COUNT_AT_CHECKPOINT = new ConcurrentHashMap<>();
    static final List<Long> COMPLETED = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        s3 = S3TestServer.start(Files.createDirectories(work.resolve("s3")));
        s3.createBucket(BUCKET);
        try (S3Client client = s3.client()) { // one client for all uploads
            for (int i = 0; i < OBJECTS; i++) {
                String key = String.format("p/%03d.png", i);
                keys.add(S3Listing.uri(BUCKET, key));
                client.putObject(b -> b.bucket(BUCKET).key(key), RequestBody.fromString("x"));
            }
        }
    }

    @AfterAll
    static void stop() throws Exception {
        s3.close();
    }

    /**
     * Chained to the source (same parallelism, forward), so its slowness is the reader's: the
     * listing advances only as keys are taken. Notes its count at each checkpoint.
     */
    static final class SlowRecorder extends RichMapFunction<RawMessage, String>
            implements CheckpointedFunction, CheckpointListener {
        private final int run;

        SlowRecorder(int run) {
            this.run = run;
        }

        @Override
        public String map(RawMessage message) throws InterruptedException {
            Thread.sleep(25);
            String id = new String(message.key, StandardCharsets.UTF_8);
            SEEN.computeIfAbsent(run, r -> new CopyOnWriteArrayList<>()).add(id);
            return id;
        }

        @Override
        public void snapshotState(FunctionSnapshotContext context) {
            if (run == 1) {
                COUNT_AT_CHECKPOINT.put(
                        context.getCheckpointId(), SEEN.getOrDefault(1, List.of()).size());
            }
        }

        @Override
        public void initializeState(FunctionInitializationContext context) {}

        @Override
        public void notifyCheckpointComplete(long checkpointId) {
            if (run == 1) {
                COMPLETED.add(checkpointId);
            }
        }
    }

    static StreamExecutionEnvironment environment(Path checkpoints, Path restore, int run) {
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
        S3PrefixSource source =
                new S3PrefixSource(
                        new S3Input(BUCKET, "p/"), s3.access(BUCKET), null, "restore-test", 7, 3);
        env.fromSource(source, WatermarkStrategy.noWatermarks(), "keys")
                .uid("keys")
                .map(new SlowRecorder(run))
                .uid("slow")
                .sinkTo(new DiscardingSink<>());
        return env;
    }

    @Test
    void aJobRestoredFromACheckpointInTheMiddleOfTheListingEmitsTheRestOnce() throws Exception {
        Path checkpoints = Files.createDirectories(work.resolve("checkpoints"));
        JobClient first = environment(checkpoints, null, 1).executeAsync("listing-1");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (COMPLETED.stream().noneMatch(id -> COUNT_AT_CHECKPOINT.getOrDefault(id, 0) >= 8)) {
            assertThat(System.nanoTime()).as("a checkpoint after 8 keys").isLessThan(deadline);
            Thread.sleep(10);
        }
        first.cancel().get(30, TimeUnit.SECONDS);

        Path latest = new ArchiveCheckpoints(checkpoints).latest().orElseThrow();
        long checkpointId = Long.parseLong(latest.getFileName().toString().substring(4));
        int covered = COUNT_AT_CHECKPOINT.get(checkpointId);
        // The enumerator holds under two pages (14 keys) and the reader one split (3): a
        // checkpoint with 8 to 32 keys taken was taken before the listing's last page.
        assertThat(covered).isBetween(8, OBJECTS - 2 * 7 - 3 - 1);
        assertThat(SEEN.get(1)).hasSizeLessThan(OBJECTS);

        environment(checkpoints, latest, 2).execute("listing-2");

        List<String> both = new ArrayList<>(SEEN.get(1).subList(0, covered));
        both.addAll(SEEN.get(2));
        assertThat(both).containsExactlyElementsOf(keys);
    }
}
