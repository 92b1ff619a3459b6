package io.inceptionpipeline.operators.deserialize;

import io.inceptionpipeline.operators.failure.Failures;
import io.inceptionpipeline.operators.records.ImageRequest;
import io.inceptionpipeline.operators.records.RawMessage;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/** Kafka message → {@link ImageRequest}; unreadable messages → dead letters with their bytes. */
public class DeserializeFunction extends ProcessFunction<RawMessage, ImageRequest> {

    private transient RequestReader reader;

    @Override
    public void open(org.apache.flink.api.common.functions.OpenContext openContext) {
        reader = new RequestReader();
    }

    @Override
    public void processElement(RawMessage message, Context ctx, Collector<ImageRequest> out) {
        try {
            ImageRequest request = reader.read(message);
            request.receivedAtMs = ctx.timerService().currentProcessingTime();
            out.collect(request);
        } catch (RequestReader.UnreadableException e) {
            ctx.output(
                    Failures.TAG,
                    Failures.unreadable(message, e.code(), e.getMessage(), e.requestId()));
        }
    }
}
