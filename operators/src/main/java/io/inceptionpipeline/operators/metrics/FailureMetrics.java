package io.inceptionpipeline.operators.metrics;

import io.inceptionpipeline.schemas.ScoringFailure;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;

/**
 * Counts dead letters by stage and code on their way to the sink: {@code
 * flink_taskmanager_job_task_operator_inception_stage_code_imagesFailed{stage="FETCH",code="NOT_FOUND"}}
 * with Flink's Prometheus reporter. Passes every failure through unchanged.
 */
public class FailureMetrics extends RichMapFunction<ScoringFailure, ScoringFailure> {

    private transient MetricGroup group;
    private transient Map<String, Counter> counters;

    @Override
    public void open(OpenContext openContext) {
        group = getRuntimeContext().getMetricGroup();
        counters = new HashMap<>();
    }

    @Override
    public ScoringFailure map(ScoringFailure failure) {
        String stage = failure.getStage().name();
        String code = failure.getCode().name();
        counters.computeIfAbsent(stage + "/" + code, key -> imagesFailed(group, stage, code)).inc();
        return failure;
    }

    /** Registers the dead-letter counter of one stage and code under {@code operatorGroup}. */
    public static Counter imagesFailed(MetricGroup operatorGroup, String stage, String code) {
        return operatorGroup
                .addGroup(ScoringMetrics.GROUP)
                .addGroup("stage", stage)
                .addGroup("code", code)
                .counter("imagesFailed");
    }
}
