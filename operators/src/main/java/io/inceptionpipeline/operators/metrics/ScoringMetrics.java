package io.inceptionpipeline.operators.metrics;

import io.inceptionpipeline.schemas.Prediction;
import io.inceptionpipeline.schemas.Timings;
import java.util.List;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;

/**
 * The batch-inference operator's metrics, read off the predictions it emits (their timings are the
 * measurements), in the operator's {@value #GROUP} group. With Flink's Prometheus reporter they are
 * {@code flink_taskmanager_job_task_operator_inception_<name>}; deploy/grafana's dashboard uses
 * these names, so they are a contract.
 */
public final class ScoringMetrics {

    /** The user metric group of every metric this job adds. */
    public static final String GROUP = "inception";

    /** Samples each histogram keeps for its quantiles. */
    static final int WINDOW = 1024;

    private final Counter imagesScored;
    private final Histogram batchSize;
    private final Histogram queueTimeMs;
    private final Histogram inferenceLatencyMs;
    private final Histogram fetchLatencyMs;
    private final Histogram decodeLatencyMs;

    private ScoringMetrics(MetricGroup group) {
        imagesScored = group.counter("imagesScored");
        batchSize = group.histogram("batchSize", histogram());
        queueTimeMs = group.histogram("queueTimeMs", histogram());
        inferenceLatencyMs = group.histogram("inferenceLatencyMs", histogram());
        fetchLatencyMs = group.histogram("fetchLatencyMs", histogram());
        decodeLatencyMs = group.histogram("decodeLatencyMs", histogram());
    }

    /**
     * Registers the metrics under {@code operatorGroup}, with {@code modelLoadTimeMs}: how long
     * this subtask took to open its model.
     */
    public static ScoringMetrics register(MetricGroup operatorGroup, long modelLoadTimeMs) {
        MetricGroup group = operatorGroup.addGroup(GROUP);
        group.gauge("modelLoadTimeMs", () -> modelLoadTimeMs);
        return new ScoringMetrics(group);
    }

    private static Histogram histogram() {
        return new DescriptiveStatisticsHistogram(WINDOW);
    }

    /** One forward pass scored {@code predictions}. */
    public void batchScored(List<Prediction> predictions) {
        if (predictions.isEmpty()) {
            return;
        }
        batchSize.update(predictions.size());
        inferenceLatencyMs.update(Math.round(predictions.get(0).getTimings().getInferenceMs()));
        for (Prediction prediction : predictions) {
            Timings timings = prediction.getTimings();
            imagesScored.inc();
            queueTimeMs.update(Math.round(timings.getQueueMs()));
            fetchLatencyMs.update(Math.round(timings.getFetchMs()));
            decodeLatencyMs.update(Math.round(timings.getDecodeMs()));
        }
    }
}
