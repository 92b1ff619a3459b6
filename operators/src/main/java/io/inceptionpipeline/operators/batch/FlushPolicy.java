package io.inceptionpipeline.operators.batch;

import java.io.Serializable;

/**
 * When {@link BatchInferenceFunction} scores a partial batch (a full one is scored at once). The
 * answer is a processing time; the function keeps one timer at it, moved as crops arrive.
 *
 * <ul>
 *   <li>{@link Latency} (the default of {@code run} and {@code local}): a batch whose first crop
 *       found the model idle is scored as soon as no crop arrived for one timer tick, so a lone
 *       request is scored about a millisecond after it arrives. A batch whose first crop was
 *       decoded before the previous batch was scored (it waited behind it: the model is loaded)
 *       waits for more crops, up to as long as that previous batch took: a synchronous operator
 *       cannot read its input while it scores, and backpressure keeps only a few large crops queued
 *       in the network buffers, so "what arrived while the model was busy" has to be collected
 *       after it. {@code maxDelayMs} caps both waits from the batch's first crop.
 *   <li>{@link Throughput}: wait up to {@code maxDelayMs} from the batch's first crop for it to
 *       fill (the job's only behaviour before {@code Latency}): the fullest batches, at the cost of
 *       that wait when traffic is light.
 * </ul>
 */
public sealed interface FlushPolicy extends Serializable
        permits FlushPolicy.Latency, FlushPolicy.Throughput {

    /**
     * The processing time at which a partial batch is scored unless it fills first.
     *
     * @param openedMs when the batch's first crop arrived
     * @param lastArrivalMs when its latest crop arrived
     * @param busyMs how long the model scored the previous batch, when this batch's first crop was
     *     decoded before that batch was scored (it waited behind it); 0 when it found the model
     *     idle
     */
    long flushAt(long openedMs, long lastArrivalMs, long busyMs);

    /** Longest a crop may wait in a partial batch, from its batch's first crop. */
    long maxDelayMs();

    /** The policy named {@code latency} or {@code throughput} (the CLI's {@code --batching}). */
    static FlushPolicy parse(String name, long maxDelayMs) {
        return switch (name) {
            case "latency" -> new Latency(0, maxDelayMs);
            case "throughput" -> new Throughput(maxDelayMs);
            default ->
                    throw new IllegalArgumentException(
                            "batching must be latency or throughput, got " + name);
        };
    }

    /**
     * Scores once the input was quiet for {@code quietMs} after the latest crop (0: one timer tick;
     * Flink fires a processing-time timer once its millisecond has passed), or, when the batch's
     * first crop queued behind a busy model, {@code busyMs} after the first crop; never later than
     * {@code maxDelayMs} after it.
     */
    record Latency(long quietMs, long maxDelayMs) implements FlushPolicy {
        public Latency {
            if (quietMs < 0 || maxDelayMs < 0) {
                throw new IllegalArgumentException("quietMs and maxDelayMs must be >= 0");
            }
        }

        @Override
        public long flushAt(long openedMs, long lastArrivalMs, long busyMs) {
            long wait = busyMs > 0 ? openedMs + busyMs : lastArrivalMs + quietMs;
            return Math.min(wait, openedMs + maxDelayMs);
        }
    }

    /** Scores {@code maxDelayMs} after the batch's first crop. */
    record Throughput(long maxDelayMs) implements FlushPolicy {
        public Throughput {
            if (maxDelayMs < 0) {
                throw new IllegalArgumentException("maxDelayMs must be >= 0");
            }
        }

        @Override
        public long flushAt(long openedMs, long lastArrivalMs, long busyMs) {
            return openedMs + maxDelayMs;
        }
    }
}
