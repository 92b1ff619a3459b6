package io.inceptionpipeline.pipeline;

import io.inceptionpipeline.models.spec.ModelRegistry;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.TaskManagerOptions;

/**
 * Network buffers sized to the crops, for the jobs this JVM runs on its own MiniCluster ({@code
 * local}, {@code archive}).
 *
 * <p>The inference operator reads no input while a forward pass runs, so the crops of its next
 * batch can only be decoded ahead into the network buffers of the exchange in front of it. Flink 2
 * gives each channel a fixed number of buffers (at most 10 on the sending side, 2 exclusive and 8
 * floating on the receiving side) of {@code taskmanager.memory.segment-size} bytes, 32 KiB by
 * default: about 0.6 MiB, 2 Inception-ResNet-v2 crops (268 KB each) per side. Measured on 2 cores
 * with those defaults, 4 of each 8 crops of a batch were decoded only after the previous forward
 * pass had ended, while the model waited (docs/benchmarks.md, "Archive mode at scale").
 *
 * <p>This sets the segment size so that those {@value #BUFFERS_IN_FLIGHT} buffers hold {@code
 * batches} batches of crops: the smallest power of two of at least {@code batches × batch size ×
 * crop bytes / 20}, never below Flink's 32 KiB (Fashion-MNIST's 2.3 KB crops keep the default) nor
 * above {@value #MAX_SEGMENT_BYTES} bytes. The MiniCluster's network memory grows with it so that
 * it still holds at least {@value #MIN_BUFFERS} buffers per slot. A cluster's TaskManagers take
 * their segment size from their own configuration: docs/deploy.md says what to set there.
 */
public final class CropBuffers {

    /**
     * Buffers one channel's records can fill between two tasks in Flink 2: 10 sent, 2 + 8 received.
     */
    static final int BUFFERS_IN_FLIGHT = 20;

    /** Flink's default segment size. */
    static final long DEFAULT_SEGMENT_BYTES = 32 << 10;

    /** The largest segment size this sets. */
    static final long MAX_SEGMENT_BYTES = 4 << 20;

    /**
     * Network buffers per slot the MiniCluster keeps at least once its segments grow: 64 MiB of 256
     * KiB segments per slot (Flink's local default of 64 MiB holds 2,048 of 32 KiB).
     */
    static final int MIN_BUFFERS = 256;

    /** The MiniCluster's network memory unless more is needed (Flink's for local execution). */
    static final long DEFAULT_NETWORK_BYTES = 64 << 20;

    /** The most batches {@code --crop-buffer-batches} takes. */
    public static final int MAX_BATCHES = 16;

    private CropBuffers() {}

    /**
     * The segment size at which {@link #BUFFERS_IN_FLIGHT} buffers hold {@code batches} batches of
     * {@code batchSize} crops of {@code cropBytes} each; {@link #DEFAULT_SEGMENT_BYTES} for {@code
     * batches} 0.
     */
    static long segmentBytes(long cropBytes, int batchSize, int batches) {
        long needed =
                (batches * (long) batchSize * cropBytes + BUFFERS_IN_FLIGHT - 1)
                        / BUFFERS_IN_FLIGHT;
        long segment = DEFAULT_SEGMENT_BYTES;
        while (segment < needed && segment < MAX_SEGMENT_BYTES) {
            segment <<= 1;
        }
        return segment;
    }

    /** The bytes of one crop of {@code model}: its input side squared, three 8-bit channels. */
    static long cropBytes(String model) {
        int side = ModelRegistry.get(model).inputSize();
        return 3L * side * side;
    }

    /**
     * Adds to {@code conf} (a MiniCluster's) the segment size for {@code options}' crops and
     * batches, and network memory for at least {@link #MIN_BUFFERS} buffers of that size per slot
     * ({@code slots}); nothing when the default segment size suffices.
     */
    public static void configure(Configuration conf, JobOptions options, int slots) {
        long segment =
                segmentBytes(
                        cropBytes(options.prepare().model()),
                        options.batchSize(),
                        options.cropBufferBatches());
        if (segment == DEFAULT_SEGMENT_BYTES) {
            return;
        }
        long network = Math.max(DEFAULT_NETWORK_BYTES, segment * MIN_BUFFERS * Math.max(1, slots));
        conf.set(TaskManagerOptions.MEMORY_SEGMENT_SIZE, new MemorySize(segment));
        conf.set(TaskManagerOptions.NETWORK_MEMORY_MIN, new MemorySize(network));
        conf.set(TaskManagerOptions.NETWORK_MEMORY_MAX, new MemorySize(network));
    }
}
