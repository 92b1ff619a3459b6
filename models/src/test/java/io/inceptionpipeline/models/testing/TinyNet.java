package io.inceptionpipeline.models.testing;

import static io.inceptionpipeline.models.layers.Layers.conv;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.core.Linear;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import io.inceptionpipeline.models.ClassifierNetwork;
import io.inceptionpipeline.models.image.Interpolation;
import io.inceptionpipeline.models.layers.ConvNormAct;
import io.inceptionpipeline.models.layers.Macs;
import io.inceptionpipeline.models.spec.Labels;
import io.inceptionpipeline.models.spec.ModelSpec;
import io.inceptionpipeline.models.spec.Normalization;

/** A two-layer network of the family's parts, so loader tests run in milliseconds. */
public final class TinyNet extends AbstractBlock implements ClassifierNetwork {

    private final int classes;
    private final ConvNormAct stem = addChildBlock("stem", conv(8, 3, 2, 0));
    private final Linear fc;

    public TinyNet(int classes) {
        this.classes = classes;
        this.fc = addChildBlock("fc", Linear.builder().setUnits(classes).build());
    }

    /** A spec around TinyNet: 16x16 input, ImageNet labels (1000; 1001 rows mean TF layout). */
    public static ModelSpec spec() {
        return new ModelSpec(
                "tiny",
                "test network",
                16,
                0.875,
                Interpolation.BILINEAR,
                Normalization.IMAGENET,
                1000,
                Labels.imagenet1k(),
                8,
                "fc.weight",
                TinyNet::new,
                null);
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray embedding =
                Pool.globalAvgPool2d(stem.forward(ps, inputs, training).singletonOrThrow());
        return new NDList(
                fc.forward(ps, new NDList(embedding), training).singletonOrThrow(), embedding);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputs) {
        return new Shape[] {new Shape(inputs[0].get(0), classes), new Shape(inputs[0].get(0), 8)};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputs) {
        stem.initialize(manager, dataType, inputs);
        fc.initialize(manager, dataType, new Shape(inputs[0].get(0), 8));
    }

    @Override
    public long macs(Shape input) {
        return Macs.of(stem, input) + Macs.of(fc, new Shape(input.get(0), 8));
    }

    @Override
    public int numClasses() {
        return classes;
    }

    @Override
    public int embeddingSize() {
        return 8;
    }
}
