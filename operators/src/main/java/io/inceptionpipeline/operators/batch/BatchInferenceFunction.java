package io.inceptionpipeline.operators.batch;

import io.inceptionpipeline.operators.failure.Failures;
import io.inceptionpipeline.operators.metrics.ScoringMetrics;
import io.inceptionpipeline.operators.records.CroppedImage;
import io.inceptionpipeline.schemas.ErrorCode;
import io.inceptionpipeline.schemas.Prediction;
import io.inceptionpipeline.schemas.Stage;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.streaming.api.TimeDomain;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Keyed batching and inference. Crops are buffered per bucket in Flink state (so a checkpoint holds
 * a half-full batch and a restart resumes it), and a bucket is scored when it holds {@code
 * batchSize} crops or when its oldest crop has waited {@code maxDelayMs} (a processing-time timer).
 * The model is opened once per subtask in {@link #open} and closed in {@link #close}. A batch whose
 * inference fails sends each of its requests to the dead letters; the job goes on.
 */
public class BatchInferenceFunction
        extends KeyedProcessFunction<Integer, CroppedImage, Prediction> {

    /**
     * Event time of the timer that flushes a partial batch when a bounded input ends. Flink drops
     * pending processing-time timers at the end of input but fires event-time timers with the final
     * watermark; the job's source emits no other watermark, so this timer fires then only.
     */
    static final long END_OF_INPUT = Long.MIN_VALUE + 1;

    private final int batchSize;
    private final long maxDelayMs;
    private final BatchScorer.Factory scorerFactory;

    private transient ListState<CroppedImage> buffer;
    private transient ValueState<Integer> count;
    private transient ValueState<Long> deadline;
    private transient BatchScorer scorer;
    private transient ScoringMetrics metrics;

    public BatchInferenceFunction(
            int batchSize, long maxDelayMs, BatchScorer.Factory scorerFactory) {
        if (batchSize < 1 || maxDelayMs < 0) {
            throw new IllegalArgumentException("batchSize must be >= 1 and maxDelayMs >= 0");
        }
        this.batchSize = batchSize;
        this.maxDelayMs = maxDelayMs;
        this.scorerFactory = scorerFactory;
    }

    @Override
    public void open(OpenContext openContext) throws Exception {
        buffer =
                getRuntimeContext()
                        .getListState(new ListStateDescriptor<>("batch", CroppedImage.class));
        count =
                getRuntimeContext()
                        .getState(new ValueStateDescriptor<>("batch-size", Integer.class));
        deadline =
                getRuntimeContext()
                        .getState(new ValueStateDescriptor<>("batch-deadline", Long.class));
        long opening = System.nanoTime();
        scorer = scorerFactory.open(getRuntimeContext().getTaskInfo().getIndexOfThisSubtask());
        metrics =
                ScoringMetrics.register(
                        getRuntimeContext().getMetricGroup(),
                        (System.nanoTime() - opening) / 1_000_000);
    }

    @Override
    public void processElement(CroppedImage crop, Context ctx, Collector<Prediction> out)
            throws Exception {
        buffer.add(crop);
        int size = count.value() == null ? 1 : count.value() + 1;
        count.update(size);
        if (size >= batchSize) {
            flush(ctx.timerService().currentProcessingTime(), ctx, out);
        } else if (size == 1) {
            long due = ctx.timerService().currentProcessingTime() + maxDelayMs;
            ctx.timerService().registerProcessingTimeTimer(due);
            ctx.timerService().registerEventTimeTimer(END_OF_INPUT);
            deadline.update(due);
        }
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<Prediction> out)
            throws Exception {
        if (ctx.timeDomain() == TimeDomain.EVENT_TIME) {
            // Only the final watermark of a finished input passes END_OF_INPUT.
            flush(ctx.timerService().currentProcessingTime(), ctx, out);
            return;
        }
        Long due = deadline.value();
        if (due != null && due == timestamp) {
            flush(timestamp, ctx, out);
        }
    }

    private void flush(long now, Context ctx, Collector<Prediction> out) throws Exception {
        List<CroppedImage> batch = new ArrayList<>(batchSize);
        for (CroppedImage crop : buffer.get()) {
            batch.add(crop);
        }
        Long due = deadline.value();
        if (due != null) {
            ctx.timerService().deleteProcessingTimeTimer(due);
        }
        ctx.timerService().deleteEventTimeTimer(END_OF_INPUT);
        buffer.clear();
        count.clear();
        deadline.clear();
        if (batch.isEmpty()) {
            return;
        }
        List<Prediction> predictions;
        try {
            predictions = scorer.score(batch, now);
        } catch (Exception e) {
            for (CroppedImage crop : batch) {
                ctx.output(
                        Failures.TAG,
                        Failures.of(
                                crop.request,
                                Stage.INFERENCE,
                                ErrorCode.INFERENCE_FAILED,
                                "Inference failed for a batch of " + batch.size() + ": " + e));
            }
            return;
        }
        metrics.batchScored(predictions);
        predictions.forEach(out::collect);
    }

    @Override
    public void close() throws Exception {
        if (scorer != null) {
            scorer.close();
        }
    }
}
