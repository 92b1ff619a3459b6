package io.inceptionpipeline.pipeline.archive;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class AnsweredIdsTest {

    @Test
    void containsExactlyTheIdsAdded() throws Exception {
        List<String> added = new ArrayList<>(List.of("", "é", "s3://bucket/a dir/x+y.jpg", "日本"));
        for (int i = 0; i < 5000; i++) {
            added.add("item-" + i);
        }
        added.add("x".repeat(10_000));
        try (AnsweredIds ids = AnsweredIds.of(added)) {
            assertThat(ids.size()).isEqualTo(added.size());
            assertThat(added).allSatisfy(id -> assertThat(ids.contains(id)).as(id).isTrue());
            for (int i = 0; i < 5000; i++) {
                assertThat(ids.contains("item-" + (5000 + i))).isFalse();
                assertThat(ids.contains("item-" + i + " ")).isFalse();
            }
            assertThat(ids.contains("e")).isFalse();
            assertThat(ids.contains("x".repeat(9_999))).isFalse();
            assertThat(ids.contains("item-")).isFalse();
        }
        assertThat(AnsweredIds.none().contains("")).isFalse();
        try (AnsweredIds empty = AnsweredIds.of(List.of())) {
            assertThat(empty.size()).isZero();
            assertThat(empty.contains("item-1")).isFalse();
        }
    }

    /**
     * Every id shares one fingerprint, or ids share it by length: only the ids added are found, so
     * a collision can never skip an unanswered id. Among them the last entry of the spill file is a
     * prefix of an id asked about, and the other way round.
     */
    @Test
    void aFingerprintCollisionNeverSkipsAnUnansweredId() throws Exception {
        List<String> added = List.of("a", "abc", "item-7", "ab");
        for (java.util.function.ToLongFunction<String> fingerprint :
                List.<java.util.function.ToLongFunction<String>>of(
                        id -> 42L, String::length, id -> -id.length())) {
            try (AnsweredIds ids = AnsweredIds.of(added, fingerprint)) {
                assertThat(added).allSatisfy(id -> assertThat(ids.contains(id)).as(id).isTrue());
                assertThat(
                                Stream.of("b", "abd", "abcd", "", "A", "item-8", "item-70")
                                        .filter(ids::contains))
                        .isEmpty();
            }
        }
    }

    @Test
    void sortByFirstOrdersKeysAndCarriesTheirValues() {
        SplittableRandom random = new SplittableRandom(7);
        for (int n : new int[] {0, 1, 2, 3, 17, 1000}) {
            long[] keys = new long[n];
            long[] values = new long[n];
            for (int i = 0; i < n; i++) {
                keys[i] = i % 5 == 0 ? keys[Math.max(0, i - 1)] : random.nextLong();
                values[i] = keys[i] ^ 0x5555L;
            }
            long[] expected = keys.clone();
            Arrays.sort(expected);
            AnsweredIds.sortByFirst(keys, values);
            assertThat(keys).containsExactly(expected);
            for (int i = 0; i < n; i++) {
                assertThat(values[i]).isEqualTo(keys[i] ^ 0x5555L);
            }
        }
    }

    @Test
    void theSpillFileIsGoneOnceClosedAndLookupsWorkUntilThen() throws Exception {
        AnsweredIds.Builder builder = AnsweredIds.builder();
        builder.add("a");
        builder.add("b");
        Path file = builder.file();
        assertThat(file).exists();
        try (AnsweredIds ids = builder.build()) {
            assertThat(ids.contains("b")).isTrue(); // unlinked already where POSIX allows it
            assertThat(ids.contains("c")).isFalse();
        }
        assertThat(file).doesNotExist();

        AnsweredIds.Builder unbuilt = AnsweredIds.builder();
        unbuilt.add("c");
        unbuilt.close();
        assertThat(unbuilt.file()).doesNotExist();
    }
}
