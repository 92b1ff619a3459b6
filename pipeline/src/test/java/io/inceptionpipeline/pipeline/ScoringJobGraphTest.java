package io.inceptionpipeline.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.inceptionpipeline.operators.records.RawMessage;
import java.util.List;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.streaming.api.graph.StreamEdge;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.streaming.api.graph.StreamNode;
import org.apache.flink.streaming.api.operators.ChainingStrategy;
import org.apache.flink.streaming.runtime.partitioner.ForwardPartitioner;
import org.apache.flink.streaming.runtime.partitioner.KeyGroupStreamPartitioner;
import org.apache.flink.streaming.runtime.partitioner.StreamPartitioner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * How crops reach the models, read from the job's stream graph: with as many fetch subtasks as
 * inference subtasks each model has its own decoder (requests keyed by bucket before the fetch, the
 * crops forward); otherwise one keyBy of the crops. The jobs that run it ({@code
 * FashionMnistPipelineITCase} at 2 and 2, {@code ScoringJobITCase}) would fail in the inference
 * operator's keyed state if a forwarded crop reached a subtask that does not own its key.
 */
class ScoringJobGraphTest {

    static StreamGraph graph(int fetchParallelism, int inferenceParallelism) {
        JobOptions options =
                JobOptions.builder()
                        .bootstrapServers("localhost:9092")
                        .parallelism(fetchParallelism, inferenceParallelism)
                        .build();
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        ScoringJob.defineWorkflow(
                env.fromData(new RawMessage("in", 0, 0, 0, null, new byte[0])),
                new DiscardingSink<>(),
                new DiscardingSink<>(),
                options);
        return env.getStreamGraph();
    }

    static StreamNode node(StreamGraph graph, String name) {
        List<StreamNode> named =
                graph.getStreamNodes().stream()
                        .filter(n -> n.getOperatorName().equals(name))
                        .toList();
        assertThat(named).as(name).hasSize(1);
        return named.get(0);
    }

    /** The partitioner of the one edge from {@code from} into {@code to}. */
    static StreamPartitioner<?> edge(StreamGraph graph, String from, String to) {
        List<StreamEdge> edges =
                node(graph, to).getInEdges().stream()
                        .filter(
                                e ->
                                        graph.getStreamNode(e.getSourceId())
                                                .getOperatorName()
                                                .equals(from))
                        .toList();
        assertThat(edges).as(from + " -> " + to).hasSize(1);
        return edges.get(0).getPartitioner();
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 4})
    void withOneDecoderPerModelTheCropsGoForward(int parallelism) {
        StreamGraph graph = graph(parallelism, parallelism);
        assertThat(edge(graph, "drop-duplicate-ids", "fetch"))
                .isInstanceOf(KeyGroupStreamPartitioner.class);
        assertThat(edge(graph, "decode-crop", "batch-inference"))
                .isInstanceOf(ForwardPartitioner.class);
        // the fetch operator's key groups are the model's, so request keys land where crops must
        assertThat(node(graph, "fetch").getMaxParallelism())
                .isEqualTo(node(graph, "batch-inference").getMaxParallelism());
        // decoding never runs in the model's thread
        assertThat(node(graph, "batch-inference").getOperatorFactory().getChainingStrategy())
                .isEqualTo(ChainingStrategy.HEAD);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3})
    void withOtherParallelismsTheCropsAreKeyed(int fetchParallelism) {
        assertCropsKeyed(graph(fetchParallelism, 2));
    }

    @Test
    void theKeyedCropsOfBeforeCanBeAskedFor() {
        System.setProperty(ScoringJob.KEYED_CROPS, "true");
        try {
            assertCropsKeyed(graph(2, 2));
        } finally {
            System.clearProperty(ScoringJob.KEYED_CROPS);
        }
    }

    static void assertCropsKeyed(StreamGraph graph) {
        assertThat(edge(graph, "drop-duplicate-ids", "fetch"))
                .isInstanceOf(ForwardPartitioner.class);
        assertThat(edge(graph, "decode-crop", "batch-inference"))
                .isInstanceOf(KeyGroupStreamPartitioner.class);
    }
}
