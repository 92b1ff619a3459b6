package io.inceptionpipeline.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.inceptionpipeline.operators.decode.IccMode;
import org.junit.jupiter.api.Test;

/** Crop modes and ensembles in the job's options: parsed and checked in {@code build()}. */
class JobOptionsTest {

    static JobOptions.Builder base() {
        return JobOptions.builder().bootstrapServers("localhost:9092");
    }

    @Test
    void uploadsGetLatencyBatchingNoBufferWaitAndShortCheckpointsByDefault() {
        JobOptions options = base().build();
        assertThat(options.flushPolicy())
                .isEqualTo(new io.inceptionpipeline.operators.batch.FlushPolicy.Latency(0, 200));
        assertThat(options.bufferTimeoutMs()).isZero();
        assertThat(options.checkpointIntervalMs())
                .isEqualTo(JobOptions.DEFAULT_CHECKPOINT_INTERVAL_MS);
        assertThat(base().batching(8, 50).batching("throughput").build().flushPolicy())
                .isEqualTo(new io.inceptionpipeline.operators.batch.FlushPolicy.Throughput(50));
        assertThatThrownBy(() -> base().batching("fast").build())
                .hasMessageContaining("batching must be latency or throughput, got fast");
        assertThatThrownBy(() -> base().bufferTimeoutMs(-2).build())
                .hasMessageContaining("buffer timeout must be >= -1");
    }

    @Test
    void oneCropAndOneModelKeepTheDirectPath() {
        JobOptions options = base().model("inception_resnet_fmnist", null).topK(3).build();
        assertThat(options.aggregates()).isFalse();
        assertThat(options.aggregation()).isNull();
        assertThat(options.members()).containsExactly(options.scorer());
        assertThat(options.scorer().topK()).isEqualTo(3);
    }

    @Test
    void tenCropsAggregateAndAskEveryClassOfTheModel() {
        JobOptions options =
                base().model("inception_resnet_fmnist", null).cropMode("ten").topK(3).build();
        assertThat(options.aggregates()).isTrue();
        assertThat(options.aggregation().unitsPerRequest()).isEqualTo(10);
        assertThat(options.aggregation().topK()).isEqualTo(3);
        assertThat(options.scorer().topK()).isEqualTo(Integer.MAX_VALUE);
        assertThat(options.prepare().cropMode()).isEqualTo("ten");
    }

    @Test
    void anEnsembleHasOneScorerPerMemberWithItsWeights() {
        JobOptions options =
                base().model("inception_resnet_fmnist,inception_resnet_fmnist", null)
                        .ensembleWeights("2,1")
                        .cropMode("multiscale")
                        .build();
        assertThat(options.members()).hasSize(2);
        assertThat(options.aggregation().unitsPerRequest()).isEqualTo(288);
        assertThat(options.aggregation().memberWeights()).containsExactly(2.0, 1.0);
        assertThat(options.prepare().model()).isEqualTo("inception_resnet_fmnist");
    }

    @Test
    void theCalibrationMethodReachesEveryMembersScorer() {
        JobOptions options =
                base().model("inception_resnet_fmnist,inception_resnet_fmnist", null)
                        .precision("int8", null, 64)
                        .calibrationMethod("percentile", 99.9)
                        .build();
        assertThat(options.members()).hasSize(2);
        assertThat(options.members())
                .allSatisfy(
                        m -> {
                            assertThat(m.calibrationMethod()).isEqualTo("percentile");
                            assertThat(m.calibrationPercentile()).isEqualTo(99.9);
                        });
        assertThat(base().build().scorer().calibrationMethod()).isEqualTo("minmax");
        assertThatThrownBy(() -> base().calibrationMethod("percentile", 50).build())
                .hasMessageContaining("must be above 90 and at most 100")
                .hasMessageContaining("got 50.0");
        assertThatThrownBy(() -> base().calibrationMethod("entropy", 99.99).build())
                .hasMessageContaining("Unknown calibration method 'entropy'");
    }

    @Test
    void badEnsemblesAndCropModesAreRefusedWithTheReason() {
        assertThatThrownBy(() -> base().cropMode("five").build())
                .hasMessageContaining("expected center, none, ten or multiscale");
        assertThatThrownBy(
                        () ->
                                base().model(
                                                "inception_resnet_fmnist,inception_resnet_fmnist",
                                                "/no/such.safetensors,")
                                        .build())
                .hasMessageContaining("weights file /no/such.safetensors does not exist");
        assertThatThrownBy(() -> base().model("inception_resnet_fmnist,inception_v3", null).build())
                .hasMessageContaining("must share their preprocessing");
        assertThatThrownBy(
                        () ->
                                base().model("inception_resnet_fmnist", null)
                                        .ensembleWeights("1,2")
                                        .build())
                .hasMessageContaining("--ensemble-weights has 2 values for 1 models");
        assertThatThrownBy(
                        () ->
                                base().model("inception_resnet_fmnist", null)
                                        .aggregationTimeoutMs(0)
                                        .build())
                .hasMessageContaining("aggregation timeout");
    }

    @Test
    void embeddedIccProfilesAreIgnoredUnlessConvertIsAsked() {
        assertThat(base().build().prepare().icc()).isEqualTo(IccMode.IGNORE);
        assertThat(base().icc("convert").build().prepare().icc()).isEqualTo(IccMode.CONVERT);
        assertThatThrownBy(() -> base().icc("srgb").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("expected ignore or convert");
    }

    @Test
    void anEmbeddingIndexNeedsEmbeddingsAndACommitPoint() {
        JobOptions options = base().indexDir("idx").embeddingNormalize("l2").build();
        assertThat(options.indexes()).isTrue();
        assertThat(options.indexDir())
                .isEqualTo(java.nio.file.Path.of("idx").toAbsolutePath().toString());
        assertThat(options.embeddingNormalize()).isTrue();
        assertThat(base().build().indexes()).isFalse();
        assertThatThrownBy(() -> base().indexDir("idx").embeddings(false).build())
                .hasMessageContaining("needs the embeddings");
        assertThatThrownBy(
                        () ->
                                base().indexDir("idx")
                                        .exactlyOnce(false)
                                        .checkpointIntervalMs(0)
                                        .build())
                .hasMessageContaining("commits at checkpoints");
        assertThat(
                        base().indexDir("idx")
                                .exactlyOnce(false)
                                .checkpointIntervalMs(0)
                                .boundedInput(true)
                                .build()
                                .indexes())
                .isTrue();
        assertThatThrownBy(() -> base().embeddingNormalize("l1").build())
                .hasMessageContaining("must be none or l2");
        assertThat(base().build().indexBeamWidth()).isEqualTo(32);
        assertThatThrownBy(() -> base().indexBeamWidth(0).build())
                .hasMessageContaining("index beam width must be in [1, 3200]");
    }
}
