package io.inceptionpipeline.operators.deserialize;

import io.inceptionpipeline.operators.failure.Failures;
import io.inceptionpipeline.operators.records.ImageRequest;
import io.inceptionpipeline.schemas.ErrorCode;
import io.inceptionpipeline.schemas.Stage;
import java.time.Duration;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Keyed by request id: the first request with an id goes on; another with the same id within {@code
 * window} becomes a dead letter ({@code DESERIALIZE/DUPLICATE_REQUEST_ID}) instead of a second
 * prediction under the same key. The ids seen live in Flink state with a time-to-live, so they
 * survive a restart and memory stays bounded by the requests of one window.
 */
public class DropDuplicateRequests
        extends KeyedProcessFunction<String, ImageRequest, ImageRequest> {

    private final long windowMs;
    private transient ValueState<Boolean> seen;

    public DropDuplicateRequests(Duration window) {
        if (window.isNegative() || window.isZero()) {
            throw new IllegalArgumentException("window must be positive, got " + window);
        }
        this.windowMs = window.toMillis();
    }

    @Override
    public void open(OpenContext openContext) {
        ValueStateDescriptor<Boolean> descriptor =
                new ValueStateDescriptor<>("request-id-seen", Boolean.class);
        descriptor.enableTimeToLive(
                StateTtlConfig.newBuilder(Duration.ofMillis(windowMs))
                        .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
                        .setStateVisibility(StateTtlConfig.StateVisibility.NeverReturnExpired)
                        .build());
        seen = getRuntimeContext().getState(descriptor);
    }

    @Override
    public void processElement(ImageRequest request, Context ctx, Collector<ImageRequest> out)
            throws Exception {
        if (seen.value() == null) {
            seen.update(Boolean.TRUE);
            out.collect(request);
            return;
        }
        ctx.output(
                Failures.TAG,
                Failures.of(
                        request,
                        Stage.DESERIALIZE,
                        ErrorCode.DUPLICATE_REQUEST_ID,
                        "Request id '"
                                + request.requestId
                                + "' was already received in the last "
                                + windowMs / 1000
                                + " s; this copy is not scored"));
    }
}
