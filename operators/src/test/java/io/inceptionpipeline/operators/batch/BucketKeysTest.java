package io.inceptionpipeline.operators.batch;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BucketKeysTest {

    @ParameterizedTest
    @CsvSource({"1,128", "2,128", "3,128", "8,128", "16,256", "7,32768"})
    void everySubtaskGetsExactlyOneBucket(int parallelism, int maxParallelism) {
        BucketKeys keys = new BucketKeys(parallelism, maxParallelism);
        Set<Integer> subtasks = new HashSet<>();
        for (int bucket = 0; bucket < parallelism; bucket++) {
            subtasks.add(
                    KeyGroupRangeAssignment.assignKeyToParallelOperator(
                            keys.key(bucket), maxParallelism, parallelism));
        }
        assertThat(subtasks).hasSize(parallelism);
    }

    @ParameterizedTest
    @CsvSource({"4,128"})
    void requestIdsSpreadOverTheBuckets(int parallelism, int maxParallelism) {
        BucketKeys keys = new BucketKeys(parallelism, maxParallelism);
        int[] counts = new int[parallelism];
        for (int i = 0; i < 4000; i++) {
            counts[keys.bucket("request-" + i)]++;
        }
        for (int c : counts) {
            assertThat(c).isBetween(800, 1200);
        }
    }
}
