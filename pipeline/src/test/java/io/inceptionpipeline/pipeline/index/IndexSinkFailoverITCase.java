package io.inceptionpipeline.pipeline.index;

import static org.assertj.core.api.Assertions.assertThat;

import io.inceptionpipeline.schemas.Prediction;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.functions.Partitioner;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The index sink in a real Flink job (MiniCluster): checkpoints every 100 ms, a task failure
 * injected once after checkpoint 3 completed, a restart from the last checkpoint; the index ends
 * with exactly one document per request id, equal to that id's last prediction.
 */
class IndexSinkFailoverITCase {

    static final int RECORDS = 2000;
    static final int IDS = 1500; // ids 0..499 are scored twice: the second replaces the first
    static final int DIMS = 16;

    static final java.util.concurrent.atomic.AtomicLong lastCompleted =
            new java.util.concurrent.atomic.AtomicLong();
    static final AtomicBoolean failed = new AtomicBoolean();

    @TempDir Path dir;

    /** Record {@code i} becomes request {@code i % IDS}'s prediction, version {@code i}. */
    static final class Score implements MapFunction<Long, Prediction> {
        @Override
        public Prediction map(Long i) throws Exception {
            Thread.sleep(1); // about 2 s of input: checkpoints land in the middle of it
            return TestPredictions.of("req-" + (i % IDS), i, DIMS);
        }
    }

    /** Throws once, on the first record after checkpoint 3 completed. */
    static final class FailOnce implements MapFunction<Prediction, Prediction>, CheckpointListener {
        @Override
        public Prediction map(Prediction p) {
            if (lastCompleted.get() >= 3 && failed.compareAndSet(false, true)) {
                throw new IllegalStateException("injected failure after a checkpoint");
            }
            return p;
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) {
            lastCompleted.accumulateAndGet(checkpointId, Math::max);
        }
    }

    @Test
    void aFailureBetweenCheckpointsNeitherLosesNorDuplicatesADocument() throws Exception {
        lastCompleted.set(0);
        failed.set(false);
        Configuration conf = new Configuration();
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 2);
        conf.set(
                RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, java.time.Duration.ZERO);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.enableCheckpointing(100, CheckpointingMode.EXACTLY_ONCE);
        env.setParallelism(2);
        // as in the job: a request id always reaches the same index subtask
        DataStream<Prediction> predictions =
                env.fromSequence(0, RECORDS - 1)
                        .setParallelism(1)
                        .map(new Score())
                        .returns(new AvroTypeInfo<>(Prediction.class))
                        .setParallelism(1)
                        .partitionCustom(
                                (Partitioner<String>) (key, n) -> Math.floorMod(key.hashCode(), n),
                                p -> p.getRequestId().toString())
                        .map(new FailOnce())
                        .returns(new AvroTypeInfo<>(Prediction.class));
        EmbeddingIndexSink.attach(
                predictions, dir.toString(), true, EmbeddingDocuments.DEFAULT_BEAM_WIDTH, 2);
        env.execute("index-failover");

        assertThat(failed).as("the failure was injected").isTrue();
        Map<String, Long> last = new HashMap<>();
        for (long i = 0; i < RECORDS; i++) {
            last.put("req-" + (i % IDS), i);
        }
        try (EmbeddingIndexReader reader = EmbeddingIndexReader.open(dir)) {
            List<EmbeddingIndexReader.Neighbor> docs = reader.documents();
            assertThat(docs).hasSize(IDS);
            assertThat(docs.stream().map(EmbeddingIndexReader.Neighbor::id).distinct())
                    .hasSize(IDS);
            for (EmbeddingIndexReader.Neighbor doc : docs) {
                Prediction expected = TestPredictions.of(doc.id(), last.get(doc.id()), DIMS);
                assertThat(doc.label()).isEqualTo(expected.getTopK().get(0).getLabel());
                assertThat(doc.uri()).isEqualTo(expected.getUri());
                assertThat(reader.vector(doc.id()))
                        .containsExactly(
                                EmbeddingDocuments.l2Normalized(expected.getEmbedding()),
                                org.assertj.core.data.Offset.offset(1e-6f));
            }
        }
    }
}
