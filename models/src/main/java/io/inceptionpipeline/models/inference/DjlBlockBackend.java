package io.inceptionpipeline.models.inference;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import io.inceptionpipeline.models.ClassifierNetwork;
import io.inceptionpipeline.models.spec.ModelSpec;

/**
 * The project's DJL blocks run by a DJL engine that executes blocks (MXNet, PyTorch): the network
 * lives in a DJL {@link Model} on that engine and device, and its parameters can be filled, folded,
 * saved and exported.
 */
public final class DjlBlockBackend implements InferenceBackend {

    private final Model model;
    private final ClassifierNetwork network;
    private final ParameterStore parameters;
    private final int inputSize;

    private DjlBlockBackend(Model model, ClassifierNetwork network, int inputSize) {
        this.model = model;
        this.network = network;
        this.parameters = new ParameterStore(model.getNDManager(), false);
        this.inputSize = inputSize;
    }

    /**
     * {@code spec}'s network with a {@code classes}-row head on {@code engine} and {@code device},
     * its parameters allocated (zeros: every value is overwritten by the weights right after).
     */
    public static DjlBlockBackend create(
            ModelSpec spec, int classes, Device device, String engine) {
        ClassifierNetwork network = spec.network().apply(classes);
        Model model = Model.newInstance(spec.name(), device, engine);
        try {
            model.setBlock(network);
            network.setInitializer(Initializer.ZEROS, p -> true);
            network.initialize(
                    model.getNDManager(), DataType.FLOAT32, new Shape(spec.inputShape(1)));
            return new DjlBlockBackend(model, network, spec.inputSize());
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
    }

    @Override
    public Batch forward(float[] images, int count) {
        try (NDManager batch = model.getNDManager().newSubManager()) {
            NDList out =
                    network.forward(
                            parameters,
                            new NDList(
                                    batch.create(
                                            images, new Shape(count, 3, inputSize, inputSize))),
                            false);
            float[] logits = network.numClasses() > 0 ? out.get(0).toFloatArray() : new float[0];
            return new Batch(count, logits, out.get(1).toFloatArray());
        }
    }

    /** The network, to fill, fold, save or export. */
    public ClassifierNetwork network() {
        return network;
    }

    /** The DJL model holding the network (its manager owns the parameters). */
    public Model model() {
        return model;
    }

    @Override
    public int numClasses() {
        return network.numClasses();
    }

    @Override
    public int embeddingSize() {
        return network.embeddingSize();
    }

    @Override
    public String engine() {
        return model.getNDManager().getEngine().getEngineName();
    }

    @Override
    public Device device() {
        return model.getNDManager().getDevice();
    }

    @Override
    public void close() {
        model.close();
    }
}
