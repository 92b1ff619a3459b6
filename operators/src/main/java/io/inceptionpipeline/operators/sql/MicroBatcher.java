package io.inceptionpipeline.operators.sql;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Gathers items submitted from any thread into batches and runs each batch on one worker thread: a
 * batch closes when it holds {@code batchSize} items or when its first item has waited {@code
 * maxDelayMs}, the rule the DataStream job's {@code BatchInferenceFunction} applies to its keyed
 * buffer. Each item's future completes with its own result, or fails with the batch's error.
 *
 * <pre>{@code
 * try (MicroBatcher<Crop, Prediction> batcher =
 *         new MicroBatcher<>(8, 200, scorer::score, "inference")) {
 *     CompletableFuture<Prediction> p = batcher.submit(crop);
 * }
 * }</pre>
 *
 * @param <T> item
 * @param <R> one result per item, in order
 */
public final class MicroBatcher<T, R> implements AutoCloseable {

    /** Scores one batch; returns one result per item, in order. Runs on the worker thread. */
    @FunctionalInterface
    public interface BatchFunction<T, R> {
        List<R> apply(List<T> batch) throws Exception;
    }

    private record Pending<T, R>(T item, CompletableFuture<R> result, long arrivedNanos) {}

    private final int batchSize;
    private final long maxDelayNanos;
    private final BatchFunction<T, R> function;
    private final BlockingQueue<Pending<T, R>> queue = new LinkedBlockingQueue<>();
    private final Thread worker;
    private volatile boolean closed;

    public MicroBatcher(
            int batchSize, long maxDelayMs, BatchFunction<T, R> function, String threadName) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
        }
        if (maxDelayMs < 0) {
            throw new IllegalArgumentException("max batch delay must not be negative");
        }
        this.batchSize = batchSize;
        this.maxDelayNanos = TimeUnit.MILLISECONDS.toNanos(maxDelayMs);
        this.function = function;
        this.worker = new Thread(this::run, threadName);
        this.worker.setDaemon(true);
        this.worker.start();
    }

    /** Queues {@code item} for the next batch. */
    public CompletableFuture<R> submit(T item) {
        CompletableFuture<R> result = new CompletableFuture<>();
        if (closed) {
            result.completeExceptionally(new IllegalStateException("The batcher is closed"));
            return result;
        }
        queue.add(new Pending<>(item, result, System.nanoTime()));
        return result;
    }

    private void run() {
        List<Pending<T, R>> batch = new ArrayList<>(batchSize);
        try {
            while (!closed) {
                Pending<T, R> first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                long deadline = first.arrivedNanos() + maxDelayNanos;
                while (batch.size() < batchSize) {
                    long wait = deadline - System.nanoTime();
                    Pending<T, R> next =
                            wait > 0 ? queue.poll(wait, TimeUnit.NANOSECONDS) : queue.poll();
                    if (next == null) {
                        break;
                    }
                    batch.add(next);
                }
                score(batch);
                batch.clear();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            failAll(batch);
            List<Pending<T, R>> rest = new ArrayList<>();
            queue.drainTo(rest);
            failAll(rest);
        }
    }

    private void score(List<Pending<T, R>> batch) {
        List<T> items = new ArrayList<>(batch.size());
        for (Pending<T, R> p : batch) {
            items.add(p.item());
        }
        List<R> results;
        try {
            results = function.apply(items);
            if (results.size() != items.size()) {
                throw new IllegalStateException(
                        "The batch function returned "
                                + results.size()
                                + " results for "
                                + items.size()
                                + " items");
            }
        } catch (Exception | Error e) {
            for (Pending<T, R> p : batch) {
                p.result().completeExceptionally(e);
            }
            return;
        }
        for (int i = 0; i < batch.size(); i++) {
            batch.get(i).result().complete(results.get(i));
        }
    }

    private static <T, R> void failAll(List<Pending<T, R>> pending) {
        for (Pending<T, R> p : pending) {
            p.result().completeExceptionally(new IllegalStateException("The batcher was closed"));
        }
    }

    /** Stops the worker after the batch it is scoring; items still queued fail. */
    @Override
    public void close() throws InterruptedException {
        closed = true;
        worker.join(TimeUnit.MINUTES.toMillis(1));
    }
}
