package io.inceptionpipeline.operators.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Batches close on size or on their first item's delay; each item gets its own result. */
class MicroBatcherTest {

    private final List<Integer> sizes = Collections.synchronizedList(new ArrayList<>());

    private List<String> echo(List<Integer> batch) {
        sizes.add(batch.size());
        return batch.stream().map(i -> "r" + i).toList();
    }

    @Test
    void aFullBatchGoesAtOnceAndEachItemGetsItsResult() throws Exception {
        try (MicroBatcher<Integer, String> batcher =
                new MicroBatcher<>(4, TimeUnit.MINUTES.toMillis(10), this::echo, "test")) {
            List<CompletableFuture<String>> results = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                results.add(batcher.submit(i));
            }
            for (int i = 0; i < 8; i++) {
                assertThat(results.get(i).get(10, TimeUnit.SECONDS)).isEqualTo("r" + i);
            }
        }
        assertThat(sizes).containsExactly(4, 4);
    }

    @Test
    void aPartialBatchGoesWhenItsFirstItemHasWaitedTheDelay() throws Exception {
        try (MicroBatcher<Integer, String> batcher =
                new MicroBatcher<>(8, 50, this::echo, "test")) {
            CompletableFuture<String> a = batcher.submit(1);
            CompletableFuture<String> b = batcher.submit(2);
            assertThat(b.get(10, TimeUnit.SECONDS)).isEqualTo("r2");
            assertThat(a.get()).isEqualTo("r1");
        }
        assertThat(sizes).containsExactly(2);
    }

    @Test
    void aFailedBatchFailsEachOfItsItemsAndTheNextBatchStillRuns() throws Exception {
        try (MicroBatcher<Integer, String> batcher =
                new MicroBatcher<>(
                        2,
                        10_000,
                        batch -> {
                            if (batch.contains(0)) {
                                throw new IllegalStateException("engine down");
                            }
                            return echo(batch);
                        },
                        "test")) {
            CompletableFuture<String> a = batcher.submit(0);
            CompletableFuture<String> b = batcher.submit(1);
            assertThatThrownBy(() -> a.get(10, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .hasMessageContaining("engine down");
            assertThatThrownBy(b::get).hasMessageContaining("engine down");
            CompletableFuture<String> c = batcher.submit(2);
            CompletableFuture<String> d = batcher.submit(3);
            assertThat(c.get(10, TimeUnit.SECONDS)).isEqualTo("r2");
            assertThat(d.get()).isEqualTo("r3");
        }
    }

    @Test
    void itemsSubmittedAfterCloseFail() throws Exception {
        MicroBatcher<Integer, String> batcher = new MicroBatcher<>(2, 10, this::echo, "test");
        batcher.close();
        assertThat(batcher.submit(1)).isCompletedExceptionally();
    }

    @Test
    void settingsAreChecked() {
        assertThatThrownBy(() -> new MicroBatcher<Integer, String>(0, 10, this::echo, "t"))
                .hasMessageContaining("batch size must be >= 1");
        assertThatThrownBy(() -> new MicroBatcher<Integer, String>(1, -1, this::echo, "t"))
                .hasMessageContaining("must not be negative");
    }
}
