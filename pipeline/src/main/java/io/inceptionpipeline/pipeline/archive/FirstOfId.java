package io.inceptionpipeline.pipeline.archive;

import io.inceptionpipeline.operators.records.RawMessage;
import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Keyed by request id: a manifest's first line of an id goes on, a repeated id is left out (the
 * archive contract: every id is scored once, the first line wins). Unlike the streaming job's
 * duplicate window, a repeat is no failure, so it makes no dead letter. The ids seen are Flink
 * state, so a run restored from a checkpoint still knows them.
 */
public final class FirstOfId extends KeyedProcessFunction<String, RawMessage, RawMessage> {

    private transient ValueState<Boolean> seen;

    /** The request id a message carries in its key. */
    public static final class Id implements KeySelector<RawMessage, String> {
        @Override
        public String getKey(RawMessage message) {
            return new String(message.key, StandardCharsets.UTF_8);
        }
    }

    @Override
    public void open(OpenContext openContext) {
        seen = getRuntimeContext().getState(new ValueStateDescriptor<>("id-seen", Boolean.class));
    }

    @Override
    public void processElement(RawMessage message, Context ctx, Collector<RawMessage> out)
            throws Exception {
        if (seen.value() == null) {
            seen.update(Boolean.TRUE);
            out.collect(message);
        }
    }
}
