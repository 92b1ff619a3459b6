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
 * batchSize} crops or at the processing time its {@link FlushPolicy} names: with {@link
 * FlushPolicy.Latency} once no crop arrived for a timer tick when the batch's first crop found the
 * model idle (a lone request is scored at once), or up to as long as the previous batch took when
 * the first crop was decoded before that batch was scored (it waited behind it: the model is
 * loaded, the batch fills); with {@link FlushPolicy.Throughput} when the oldest crop has waited
 * {@code maxDelayMs}. One timer per bucket holds that time and moves as crops arrive. The model is
 * opened once per subtask in {@link #open} and closed in {@link #close}. A batch whose inference
 * fails sends each of its requests to the dead letters; the job goes on.
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
    private final FlushPolicy policy;
    private final BatchScorer.Factory scorerFactory;

    private transient ListState<CroppedImage> buffer;
    private transient ValueState<Integer> count;
    private transient ValueState<Long> deadline;
    private transient ValueState<Long> opened;
    private transient ValueState<Long> busy;

    /** Processing time at which this subtask's latest batch was scored; not state: a hint. */
    private transient long lastScoredAtMs = Long.MIN_VALUE;

    /** How long this subtask's latest batch took to score, in ms (at least 1). */
    private transient long lastBatchMs;

    private transient BatchScorer scorer;
    private transient ScoringMetrics metrics;

    /** Throughput batching: a partial batch waits {@code maxDelayMs} from its first crop. */
    public BatchInferenceFunction(
            int batchSize, long maxDelayMs, BatchScorer.Factory scorerFactory) {
        this(batchSize, new FlushPolicy.Throughput(maxDelayMs), scorerFactory);
    }

    public BatchInferenceFunction(
            int batchSize, FlushPolicy policy, BatchScorer.Factory scorerFactory) {
        if (batchSize < 1 || policy == null) {
            throw new IllegalArgumentException("batchSize must be >= 1 and a policy given");
        }
        this.batchSize = batchSize;
        this.policy = policy;
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
        opened =
                getRuntimeContext()
                        .getState(new ValueStateDescriptor<>("batch-opened", Long.class));
        busy = getRuntimeContext().getState(new ValueStateDescriptor<>("batch-busy", Long.class));
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
        long now = ctx.timerService().currentProcessingTime();
        buffer.add(crop);
        int size = count.value() == null ? 1 : count.value() + 1;
        count.update(size);
        if (size >= batchSize) {
            flush(now, ctx, out);
            return;
        }
        if (size == 1) {
            opened.update(now);
            // Decoded before the latest batch was scored: the crop waited behind it. (Compared by
            // time: not "arrived within a tick of the end", since the sink's commit and other mail
            // run between the end of a batch and the next record.)
            busy.update(crop.readyAtMs <= lastScoredAtMs ? lastBatchMs : 0L);
            ctx.timerService().registerEventTimeTimer(END_OF_INPUT);
        }
        // A batch restored from a savepoint taken before these states existed counts from now.
        long openedAt = opened.value() == null ? now : opened.value();
        long busyMs = busy.value() == null ? 0 : busy.value();
        moveTimer(policy.flushAt(openedAt, now, busyMs), ctx);
    }

    /** Keeps the bucket's one processing-time timer at {@code due}. */
    private void moveTimer(long due, Context ctx) throws Exception {
        Long current = deadline.value();
        if (current != null && current == due) {
            return;
        }
        if (current != null) {
            ctx.timerService().deleteProcessingTimeTimer(current);
        }
        ctx.timerService().registerProcessingTimeTimer(due);
        deadline.update(due);
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
            // now, not the timer's time: Flink fires it once its millisecond has passed
            flush(ctx.timerService().currentProcessingTime(), ctx, out);
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
        opened.clear();
        busy.clear();
        if (batch.isEmpty()) {
            return;
        }
        List<Prediction> predictions;
        long started = System.nanoTime();
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
        lastBatchMs = Math.max(1, (System.nanoTime() - started) / 1_000_000);
        lastScoredAtMs = ctx.timerService().currentProcessingTime();
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
