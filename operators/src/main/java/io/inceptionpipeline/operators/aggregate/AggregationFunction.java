package io.inceptionpipeline.operators.aggregate;

import io.inceptionpipeline.operators.failure.Failures;
import io.inceptionpipeline.operators.metrics.ScoringMetrics;
import io.inceptionpipeline.schemas.ErrorCode;
import io.inceptionpipeline.schemas.Prediction;
import io.inceptionpipeline.schemas.ScoringFailure;
import io.inceptionpipeline.schemas.Stage;
import java.time.Instant;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Fan-in of multi-crop and ensemble requests, keyed by request id: averages the softmax of all
 * {@code crops × members} units of a request and emits one prediction when the last arrives. If any
 * unit fails (second input: the inference operators' dead letters) or the request is not complete
 * {@code timeoutMs} after its first unit, the request goes to the dead letters once ({@code
 * AGGREGATE / AGGREGATION_TIMEOUT} for a timeout, the unit's own stage and code for a failure),
 * never a half-averaged answer. The partial sums live in keyed state, so a checkpoint never loses a
 * half-aggregated request. A finished request's id is remembered for {@code timeoutMs} more, and
 * units arriving for it then (the rest of a failed request) are dropped.
 */
public class AggregationFunction
        extends KeyedCoProcessFunction<String, ScoredUnit, ScoringFailure, Prediction> {

    private final AggregationConfig config;

    private transient ValueState<RequestAggregate> aggregate;
    private transient ValueState<Long> deadline;
    private transient ValueState<Long> forgetAt;
    private transient Counter droppedLateUnits;

    public AggregationFunction(AggregationConfig config) {
        this.config = config;
    }

    @Override
    public void open(OpenContext openContext) {
        aggregate =
                getRuntimeContext()
                        .getState(
                                new ValueStateDescriptor<>(
                                        "aggregate", TypeInformation.of(RequestAggregate.class)));
        deadline =
                getRuntimeContext()
                        .getState(new ValueStateDescriptor<>("aggregate-deadline", Long.class));
        forgetAt =
                getRuntimeContext()
                        .getState(new ValueStateDescriptor<>("finished-until", Long.class));
        droppedLateUnits =
                getRuntimeContext()
                        .getMetricGroup()
                        .addGroup(ScoringMetrics.GROUP)
                        .counter("droppedLateUnits");
    }

    @Override
    public void processElement1(ScoredUnit unit, Context ctx, Collector<Prediction> out)
            throws Exception {
        if (forgetAt.value() != null) {
            droppedLateUnits.inc();
            return;
        }
        RequestAggregate current = aggregate.value();
        if (current == null) {
            current = RequestAggregate.start(config.members());
            long due = ctx.timerService().currentProcessingTime() + config.timeoutMs();
            ctx.timerService().registerProcessingTimeTimer(due);
            deadline.update(due);
        }
        try {
            current.add(unit, config.memberWeights().get(unit.member));
        } catch (IllegalArgumentException e) {
            ctx.output(
                    Failures.TAG,
                    failure(
                            unit.prediction,
                            Stage.AGGREGATE,
                            ErrorCode.INTERNAL_ERROR,
                            e.getMessage()));
            finish(ctx);
            return;
        }
        if (current.units >= config.unitsPerRequest()) {
            out.collect(current.result(config, Instant.now()));
            finish(ctx);
        } else {
            aggregate.update(current);
        }
    }

    @Override
    public void processElement2(ScoringFailure failed, Context ctx, Collector<Prediction> out)
            throws Exception {
        if (forgetAt.value() != null) {
            droppedLateUnits.inc();
            return;
        }
        RequestAggregate current = aggregate.value();
        int arrived = current == null ? 0 : current.units;
        ctx.output(
                Failures.TAG,
                ScoringFailure.newBuilder(failed)
                        .setMessage(
                                "A unit of the request failed ("
                                        + arrived
                                        + " of "
                                        + config.unitsPerRequest()
                                        + " units scored, crop mode "
                                        + config.cropMode()
                                        + ", "
                                        + config.members()
                                        + " model(s)): "
                                        + failed.getMessage())
                        .build());
        finish(ctx);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<Prediction> out)
            throws Exception {
        Long due = deadline.value();
        if (due != null && due == timestamp) {
            RequestAggregate current = aggregate.value();
            ctx.output(
                    Failures.TAG,
                    failure(
                            current.first,
                            Stage.AGGREGATE,
                            ErrorCode.AGGREGATION_TIMEOUT,
                            "Only "
                                    + current.units
                                    + " of "
                                    + config.unitsPerRequest()
                                    + " units scored within "
                                    + config.timeoutMs()
                                    + " ms"));
            finish(ctx);
            return;
        }
        Long forget = forgetAt.value();
        if (forget != null && forget == timestamp) {
            forgetAt.clear();
        }
    }

    /** Drops the request's partial state and remembers its id for {@code timeoutMs}. */
    private void finish(Context ctx) throws Exception {
        Long due = deadline.value();
        if (due != null) {
            ctx.timerService().deleteProcessingTimeTimer(due);
        }
        aggregate.clear();
        deadline.clear();
        long forget = ctx.timerService().currentProcessingTime() + config.timeoutMs();
        ctx.timerService().registerProcessingTimeTimer(forget);
        forgetAt.update(forget);
    }

    private static ScoringFailure failure(
            Prediction template, Stage stage, ErrorCode code, String message) {
        return ScoringFailure.newBuilder()
                .setRequestId(template.getRequestId())
                .setUri(template.getUri())
                .setStage(stage)
                .setCode(code)
                .setMessage(message)
                .setFailedAt(Instant.now())
                .build();
    }

    /** Keys units by request id. */
    public static final class UnitKey
            implements org.apache.flink.api.java.functions.KeySelector<ScoredUnit, String> {
        @Override
        public String getKey(ScoredUnit unit) {
            return String.valueOf(unit.prediction.getRequestId());
        }
    }

    /** Keys failed units by request id. */
    public static final class FailureKey
            implements org.apache.flink.api.java.functions.KeySelector<ScoringFailure, String> {
        @Override
        public String getKey(ScoringFailure failure) {
            return String.valueOf(failure.getRequestId());
        }
    }
}
