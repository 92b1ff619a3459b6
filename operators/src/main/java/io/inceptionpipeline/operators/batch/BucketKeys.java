package io.inceptionpipeline.operators.batch;

import io.inceptionpipeline.operators.records.CroppedImage;
import io.inceptionpipeline.operators.records.ImageRequest;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;

/**
 * Keys crops into exactly as many buckets as the inference operator has subtasks, one bucket per
 * subtask. Flink hashes keys into key groups, so the keys 0..P-1 would not land one per subtask;
 * instead bucket {@code b} is keyed by the smallest integer that Flink assigns to subtask {@code
 * b}. A request's crops all go to the bucket of its id, and {@link #requests()} keys the request
 * itself the same way, so that a stream keyed by request before its crops are made is already
 * partitioned as the crops' keys say.
 */
public final class BucketKeys implements KeySelector<CroppedImage, Integer> {

    private final int[] keys;

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

    /** The bucket of a request id. */
    public int bucket(String requestId) {
        return Math.floorMod(requestId.hashCode(), keys.length);
    }

    /** The key of bucket {@code bucket}. */
    public int key(int bucket) {
        return keys[bucket];
    }

    @Override
    public Integer getKey(CroppedImage crop) {
        return keys[bucket(crop.request.requestId)];
    }

    /** The same buckets for requests, before their crops exist: a request's key is its crops'. */
    public KeySelector<ImageRequest, Integer> requests() {
        return new RequestKeys(this);
    }

    /** {@link #requests()}: a class, so that Flink reads the key type from its signature. */
    private static final class RequestKeys implements KeySelector<ImageRequest, Integer> {
        private final BucketKeys buckets;

        RequestKeys(BucketKeys buckets) {
            this.buckets = buckets;
        }

        @Override
        public Integer getKey(ImageRequest request) {
            return buckets.key(buckets.bucket(request.requestId));
        }
    }
}
