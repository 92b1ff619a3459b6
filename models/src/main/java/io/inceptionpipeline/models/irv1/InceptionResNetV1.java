package io.inceptionpipeline.models.irv1;

import static io.inceptionpipeline.models.irv2.InceptionResNetV2.repeat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import io.inceptionpipeline.models.ClassifierNetwork;
import io.inceptionpipeline.models.irv2.ReductionA;
import io.inceptionpipeline.models.layers.ConvNormAct;
import io.inceptionpipeline.models.layers.Features;
import io.inceptionpipeline.models.layers.Macs;
import io.inceptionpipeline.models.onnx.OnnxGraph;

/**
 * Inception-ResNet-v1 (Szegedy et al., "Inception-v4, Inception-ResNet and the Impact of Residual
 * Connections on Learning", 2016, figure 15) as facenet-pytorch defines it ({@code
 * InceptionResnetV1}, the port of David Sandberg's FaceNet weights, which is what users hold):
 * 5/10/5 residual cells with scales 0.17/0.10/0.20 and a last Inception-ResNet-C without ReLU.
 *
 * <p>Two heads:
 *
 * <ul>
 *   <li>{@link Head#FACE} (facenet): pool, dropout, {@code last_linear} 1792 → 512 without bias,
 *       {@code last_bn}; the embedding is that 512-d bottleneck L2-normalized. With {@code
 *       numClasses > 0} a classifier {@code logits} reads the bottleneck before normalization
 *       (facenet's VGGFace2 checkpoint has 8631 identities); with 0 the network only embeds.
 *   <li>{@link Head#PAPER}: the paper's pool and linear classifier ({@code logits}, 1792 →
 *       numClasses); the embedding is the 1792-d pooled features.
 * </ul>
 */
public final class InceptionResNetV1 extends AbstractBlock implements ClassifierNetwork {

    /** Width of the pooled features. */
    public static final int NUM_FEATURES = 1792;

    /** Width of facenet's face embedding. */
    public static final int FACE_EMBEDDING = 512;

    /** Which head ends the network. */
    public enum Head {
        FACE,
        PAPER
    }

    private final Head head;
    private final int numClasses;
    private final Features features;
    private final Linear lastLinear;
    private final BatchNorm lastBn;
    private final Linear logits;

    private InceptionResNetV1(Head head, int numClasses) {
        if (numClasses < (head == Head.FACE ? 0 : 1)) {
            throw new IllegalArgumentException("numClasses out of range: " + numClasses);
        }
        this.head = head;
        this.numClasses = numClasses;
        this.features = addChildBlock("features", body());
        if (head == Head.FACE) {
            lastLinear =
                    addChildBlock(
                            "last_linear",
                            Linear.builder().setUnits(FACE_EMBEDDING).optBias(false).build());
            lastBn =
                    addChildBlock(
                            "last_bn",
                            BatchNorm.builder().optEpsilon(ConvNormAct.BN_EPSILON).build());
        } else {
            lastLinear = null;
            lastBn = null;
        }
        logits =
                numClasses > 0
                        ? addChildBlock("logits", Linear.builder().setUnits(numClasses).build())
                        : null;
    }

    /** facenet's network: the 512-d face embedding, plus a classifier if {@code numClasses > 0}. */
    public static InceptionResNetV1 face(int numClasses) {
        return new InceptionResNetV1(Head.FACE, numClasses);
    }

    /** The paper's network: 1792-d pooled features and a linear classifier. */
    public static InceptionResNetV1 paper(int numClasses) {
        return new InceptionResNetV1(Head.PAPER, numClasses);
    }

    private static Features body() {
        Features body = new Features();
        body.add("stem", new Stem()); //                                        35×35×256
        body.add("repeat_1", repeat(5, () -> new InceptionResNetA(0.17f)));
        body.add("mixed_6a", new ReductionA(192, 192, 256, 384, 0)); //       17×17×896
        body.add("repeat_2", repeat(10, () -> new InceptionResNetB(0.10f)));
        body.add("mixed_7a", new ReductionB()); //                              8×8×1792
        body.add("repeat_3", repeat(5, () -> new InceptionResNetC(0.20f, true)));
        body.add("block8", new InceptionResNetC(1.0f, false));
        return body;
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = features.forward(ps, inputs, training).singletonOrThrow();
        NDArray pooled = Pool.globalAvgPool2d(x);
        if (!training) {
            x.close();
        }
        if (head == Head.PAPER) {
            NDArray out = logits.forward(ps, new NDList(pooled), training).singletonOrThrow();
            return new NDList(out, pooled);
        }
        NDArray projected = lastLinear.forward(ps, new NDList(pooled), training).singletonOrThrow();
        NDArray bottleneck = lastBn.forward(ps, new NDList(projected), training).singletonOrThrow();
        // F.normalize(x, p=2, dim=1): x / max(||x||, 1e-12)
        NDArray embedding = bottleneck.div(bottleneck.norm(new int[] {1}, true).maximum(1e-12f));
        NDArray out =
                logits != null
                        ? logits.forward(ps, new NDList(bottleneck), training).singletonOrThrow()
                        : embedding.getManager().zeros(new Shape(embedding.getShape().get(0), 0));
        return new NDList(out, embedding);
    }

    /**
     * The same head in ONNX: the face head's L2 normalization as ReduceL2, Max with 1e-12, Div.
     * Without a classifier the graph has no {@code logits} output at all (see {@code OnnxExport}).
     */
    @Override
    public OnnxGraph.Outputs exportOnnx(OnnxGraph graph, String image) {
        String pooled = graph.globalAveragePool(graph.apply(features, image));
        if (head == Head.PAPER) {
            return new OnnxGraph.Outputs(graph.apply(logits, pooled), pooled);
        }
        String bottleneck = graph.apply(lastBn, graph.apply(lastLinear, pooled));
        String norm =
                graph.node("ReduceL2", bottleneck).ints("axes", 1).integer("keepdims", 1).output();
        String clamped = graph.node("Max", norm, graph.scalar("min_norm", 1e-12f)).output();
        String embedding = graph.node("Div", bottleneck, clamped).output();
        return new OnnxGraph.Outputs(
                logits != null ? graph.apply(logits, bottleneck) : null, embedding);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        long batch = inputShapes[0].get(0);
        return new Shape[] {new Shape(batch, numClasses), new Shape(batch, embeddingSize())};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputs) {
        features.initialize(manager, dataType, inputs);
        long batch = inputs[0].get(0);
        Shape pooled = new Shape(batch, NUM_FEATURES);
        if (head == Head.FACE) {
            lastLinear.initialize(manager, dataType, pooled);
            lastBn.initialize(manager, dataType, new Shape(batch, FACE_EMBEDDING));
            if (logits != null) {
                logits.initialize(manager, dataType, new Shape(batch, FACE_EMBEDDING));
            }
        } else {
            logits.initialize(manager, dataType, pooled);
        }
    }

    @Override
    public long macs(Shape input) {
        long batch = input.get(0);
        long total = Macs.of(features, input);
        if (head == Head.FACE) {
            total += Macs.of(lastLinear, new Shape(batch, NUM_FEATURES));
            if (logits != null) {
                total += Macs.of(logits, new Shape(batch, FACE_EMBEDDING));
            }
        } else {
            total += Macs.of(logits, new Shape(batch, NUM_FEATURES));
        }
        return total;
    }

    @Override
    public int numClasses() {
        return numClasses;
    }

    @Override
    public int embeddingSize() {
        return head == Head.FACE ? FACE_EMBEDDING : NUM_FEATURES;
    }
}
