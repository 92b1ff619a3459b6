package io.inceptionpipeline.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.TaskManagerOptions;
import org.junit.jupiter.api.Test;

/** Network segments sized so that the buffers in front of the model hold whole batches of crops. */
class CropBuffersTest {

    private static final long KIB = 1 << 10;

    @Test
    void cropsAreThreeBytesAPixelOfTheModelsInput() {
        assertThat(CropBuffers.cropBytes("inception_resnet_v2")).isEqualTo(3L * 299 * 299);
        assertThat(CropBuffers.cropBytes("inception_resnet_fmnist")).isEqualTo(3L * 28 * 28);
    }

    @Test
    void twentyBuffersHoldTheAskedBatchesOfCrops() {
        long irv2 = 3L * 299 * 299;
        // 2 batches of 8: 4.29 MB over 20 buffers = 214.6 KB each -> 256 KiB
        assertThat(CropBuffers.segmentBytes(irv2, 8, 2)).isEqualTo(256 * KIB);
        assertThat(CropBuffers.segmentBytes(irv2, 32, 2)).isEqualTo(1024 * KIB);
        assertThat(CropBuffers.segmentBytes(irv2, 8, 1)).isEqualTo(128 * KIB);
        for (int batches = 1; batches <= 4; batches++) {
            long segment = CropBuffers.segmentBytes(irv2, 8, batches);
            assertThat(segment * CropBuffers.BUFFERS_IN_FLIGHT)
                    .as("%d batches fit", batches)
                    .isGreaterThanOrEqualTo(batches * 8 * irv2);
            assertThat(segment / 2 * CropBuffers.BUFFERS_IN_FLIGHT)
                    .as("and the next smaller segment would not hold them")
                    .isLessThan(batches * 8 * irv2);
        }
    }

    @Test
    void smallCropsAndZeroBatchesKeepFlinksDefaultAndHugeOnesAreCapped() {
        assertThat(CropBuffers.segmentBytes(3L * 28 * 28, 8, 2))
                .isEqualTo(CropBuffers.DEFAULT_SEGMENT_BYTES);
        assertThat(CropBuffers.segmentBytes(3L * 299 * 299, 8, 0))
                .isEqualTo(CropBuffers.DEFAULT_SEGMENT_BYTES);
        assertThat(CropBuffers.segmentBytes(3L * 299 * 299, 4096, 16))
                .isEqualTo(CropBuffers.MAX_SEGMENT_BYTES);
    }

    @Test
    void theMiniClusterGetsTheSegmentSizeAndNetworkMemoryForItsSlots() {
        Configuration conf = new Configuration();
        CropBuffers.configure(conf, JobOptionsTest.base().build(), 1);
        assertThat(conf.get(TaskManagerOptions.MEMORY_SEGMENT_SIZE))
                .isEqualTo(new MemorySize(256 * KIB));
        assertThat(conf.get(TaskManagerOptions.NETWORK_MEMORY_MIN))
                .isEqualTo(MemorySize.parse("64m"));
        assertThat(conf.get(TaskManagerOptions.NETWORK_MEMORY_MAX))
                .isEqualTo(MemorySize.parse("64m"));

        Configuration four = new Configuration();
        CropBuffers.configure(four, JobOptionsTest.base().build(), 4);
        assertThat(four.get(TaskManagerOptions.NETWORK_MEMORY_MIN))
                .as("256 buffers of 256 KiB per slot")
                .isEqualTo(MemorySize.parse("256m"));
    }

    @Test
    void fashionMnistAndZeroBatchesLeaveTheConfigurationAlone() {
        Configuration fmnist = new Configuration();
        CropBuffers.configure(
                fmnist, JobOptionsTest.base().model("inception_resnet_fmnist", null).build(), 1);
        assertThat(fmnist.keySet()).isEmpty();

        Configuration off = new Configuration();
        CropBuffers.configure(off, JobOptionsTest.base().cropBufferBatches(0).build(), 1);
        assertThat(off.keySet()).isEmpty();
    }

    @Test
    void batchesOutsideZeroToSixteenAreRefused() {
        assertThat(JobOptionsTest.base().build().cropBufferBatches())
                .isEqualTo(JobOptions.DEFAULT_CROP_BUFFER_BATCHES);
        assertThatThrownBy(() -> JobOptionsTest.base().cropBufferBatches(-1).build())
                .hasMessageContaining("crop buffer batches must be in [0, 16], got -1");
        assertThatThrownBy(() -> JobOptionsTest.base().cropBufferBatches(17).build())
                .hasMessageContaining("crop buffer batches must be in [0, 16], got 17");
    }
}
