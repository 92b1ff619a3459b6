package io.inceptionpipeline.operators.batch;

import io.inceptionpipeline.operators.records.CroppedImage;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;

/**
 * Keys crops into exactly as many buckets as the inference operator has subtasks, one bucket per
 * subtask. Flink hashes keys into key groups, so the keys 0..P-1 would not land one per subtask;
 * instead bucket {@code b} is keyed by the smallest integer that Flink assigns to subtask {@code
 * b}. A request's crops all go to the bucket of its id.
 *
 * <p>A request's bucket is the subtask that owns <em>its id's</em> key group, not {@code hash(id)
 * mod P}: an unaligned checkpoint stores crops in flight, and a restore into another parallelism
 * hands the crops queued for old subtask {@code s} only to the new subtasks whose key groups
 * overlap {@code s}'s, each keeping those it would route to itself now. A bucket that followed
 * {@code hash mod P} could move a crop to a subtask outside that overlap, which dropped it: 135 of
 * 3,000 requests in a rescale from 2 to 3 (docs/reliability.md, "Rescaling from a retained
 * checkpoint"). Through the id's key group, the crop's new subtask always owns a key group its old
 * one owned.
 */
public final class BucketKeys implements KeySelector<CroppedImage, Integer> {

    private final int[] keys;
    private final int maxParallelism;

    /**
     * Keys for an operator of {@code parallelism} subtasks and {@code maxParallelism} key groups.
     */
    public BucketKeys(int parallelism, int maxParallelism) {
        if (parallelism < 1 || maxParallelism < parallelism) {
            throw new IllegalArgumentException(
                    "Need 1 <= parallelism <= maxParallelism, got "
                            + parallelism
                            + ", "
                            + maxParallelism);
        }
        this.maxParallelism = maxParallelism;
        keys = new int[parallelism];
        boolean[] found = new boolean[parallelism];
        int remaining = parallelism;
        for (int key = 0; remaining > 0; key++) {
            int subtask =
                    KeyGroupRangeAssignment.assignKeyToParallelOperator(
                            key, maxParallelism, parallelism);
            if (!found[subtask]) {
                found[subtask] = true;
                keys[subtask] = key;
                remaining--;
            }
        }
    }

    /** The bucket of a request id: the subtask that owns the id's key group. */
    public int bucket(String requestId) {
        return KeyGroupRangeAssignment.assignKeyToParallelOperator(
                requestId, maxParallelism, keys.length);
    }

    /** The key of bucket {@code bucket}. */
    public int key(int bucket) {
        return keys[bucket];
    }

    @Override
    public Integer getKey(CroppedImage crop) {
        return keys[bucket(crop.request.requestId)];
    }
}
