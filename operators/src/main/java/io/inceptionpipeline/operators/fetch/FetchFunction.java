package io.inceptionpipeline.operators.fetch;

import io.inceptionpipeline.operators.metrics.ScoringMetrics;
import io.inceptionpipeline.operators.records.FetchedImage;
import io.inceptionpipeline.operators.records.ImageRequest;
import io.inceptionpipeline.schemas.ErrorCode;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.async.ResultFuture;
import org.apache.flink.streaming.api.functions.async.RichAsyncFunction;

/**
 * Fetches each request's image with Flink async I/O ({@code AsyncDataStream.unorderedWait}, whose
 * capacity bounds the fetches in flight). {@link #asyncInvoke} only hands the URI to the {@link
 * ImageFetcher}: name resolution, connecting and reading all run on the fetcher's threads, inside
 * its total deadline, so a hanging resolver or server never stalls the task thread or its
 * checkpoints. Never fails the job: a failed or timed-out fetch becomes a {@link FetchedImage} that
 * carries its error code.
 */
public class FetchFunction extends RichAsyncFunction<ImageRequest, FetchedImage> {

    private final FetchConfig config;
    private final HostResolver resolver;
    private transient ImageFetcher fetcher;
    private transient AtomicInteger inFlight;

    public FetchFunction(FetchConfig config) {
        this(config, HostResolver.SYSTEM);
    }

    /** Resolving host names with {@code resolver} (tests map names to local servers). */
    public FetchFunction(FetchConfig config, HostResolver resolver) {
        this.config = config;
        this.resolver = resolver;
    }

    @Override
    public void open(OpenContext openContext) {
        fetcher = new ImageFetcher(config, resolver);
        inFlight = new AtomicInteger();
        registerMetrics(getRuntimeContext().getMetricGroup(), inFlight);
    }

    /** Registers the fetches-in-flight gauge under {@code operatorGroup}. */
    public static void registerMetrics(
            org.apache.flink.metrics.MetricGroup operatorGroup, AtomicInteger inFlight) {
        operatorGroup.addGroup(ScoringMetrics.GROUP).gauge("inFlightFetches", inFlight::get);
    }

    @Override
    public void asyncInvoke(ImageRequest request, ResultFuture<FetchedImage> result) {
        long started = System.nanoTime();
        if (request.inlineImage != null) {
            try {
                result.complete(
                        List.of(
                                FetchedImage.ok(
                                        request, fetcher.checkInline(request.inlineImage), 0f)));
            } catch (FetchException e) {
                result.complete(
                        List.of(FetchedImage.failed(request, e.code().name(), e.getMessage(), 0f)));
            }
            return;
        }
        inFlight.incrementAndGet();
        fetcher.fetch(request.uri)
                .whenComplete(
                        (bytes, error) -> {
                            inFlight.decrementAndGet();
                            float ms = (System.nanoTime() - started) / 1e6f;
                            if (error == null) {
                                result.complete(List.of(FetchedImage.ok(request, bytes, ms)));
                            } else {
                                FetchException e = FetchException.of(error);
                                result.complete(
                                        List.of(
                                                FetchedImage.failed(
                                                        request,
                                                        e.code().name(),
                                                        e.getMessage(),
                                                        ms)));
                            }
                        });
    }

    @Override
    public void timeout(ImageRequest request, ResultFuture<FetchedImage> result) {
        result.complete(
                List.of(
                        FetchedImage.failed(
                                request,
                                ErrorCode.TIMEOUT.name(),
                                "Fetch did not complete within the async I/O timeout",
                                Float.NaN)));
    }

    @Override
    public void close() {
        if (fetcher != null) {
            fetcher.close();
        }
    }
}
