package io.inceptionpipeline.models.inference;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.inceptionpipeline.models.onnx.OnnxExport;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * An ONNX graph of the family (written by {@link OnnxExport}: input {@code image}, outputs {@code
 * logits} and {@code embedding}, the spec in its metadata) run by DJL's OnnxRuntime engine. The
 * session is created with ONNX Runtime's own {@link OrtSession.SessionOptions}, handed to DJL as
 * its {@code sessionOptions} option, because DJL's option keys cannot switch off the thread pool's
 * spinning and apply the intra-op thread count only when an inter-op count is also given.
 *
 * <pre>{@code
 * try (OnnxRuntimeBackend ort = OnnxRuntimeBackend.open(Path.of("m.onnx"), Device.cpu(), 0)) {
 *     InferenceBackend.Batch out = ort.forward(images, n);
 * }
 * }</pre>
 */
public final class OnnxRuntimeBackend implements InferenceBackend {

    /** DJL's name of the engine. */
    public static final String ENGINE = "OnnxRuntime";

    private final Model model;
    private final Block block;
    private final OrtSession.SessionOptions options;
    private final Map<String, String> metadata;
    private final int inputSize;
    private final int numClasses;
    private final int embeddingSize;

    private OnnxRuntimeBackend(
            Model model, OrtSession.SessionOptions options, Map<String, String> metadata) {
        this.model = model;
        this.block = model.getBlock();
        this.options = options;
        this.metadata = metadata;
        this.inputSize = integer(metadata, "input_size");
        this.numClasses = integer(metadata, "num_classes");
        this.embeddingSize = integer(metadata, "embedding_size");
    }

    /**
     * Opens {@code file} on {@code device} with graph optimizations on (level ALL), {@code threads}
     * intra-op threads (0: one per available processor), one inter-op thread (the graph runs
     * sequentially: a convolution network is one chain, parallel within each operator) and threads
     * that sleep between operators instead of spinning, like the OpenMP engines' PASSIVE wait
     * policy (the pool must not take the cores the job's other threads need). Throws an {@link
     * IOException} for a file ONNX Runtime cannot load or that lacks the metadata this project's
     * exporter writes.
     */
    public static OnnxRuntimeBackend open(Path file, Device device, int threads)
            throws IOException {
        OrtSession.SessionOptions options = sessionOptions(threads, device);
        Model model = Model.newInstance(file.getFileName().toString(), device, ENGINE);
        try {
            model.load(file, null, Map.of("sessionOptions", options));
            Map<String, String> metadata = model.getBlock().getCustomMetadata();
            for (String key :
                    new String[] {"model", "input_size", "num_classes", "embedding_size"}) {
                if (!metadata.containsKey(key)) {
                    throw new IOException(
                            file
                                    + " lacks the metadata '"
                                    + key
                                    + "' that the export command writes; only ONNX files exported"
                                    + " by this project can be served");
                }
            }
            return new OnnxRuntimeBackend(model, options, metadata);
        } catch (MalformedModelException | RuntimeException e) {
            close(model, options);
            throw new IOException("ONNX Runtime cannot load " + file + ": " + rootMessage(e), e);
        } catch (IOException e) {
            close(model, options);
            throw e;
        }
    }

    /**
     * The session settings: see {@link #open}. Intra-op threads also sized by {@code --threads};
     * inter-op threads are only used by the parallel execution mode, which is off.
     */
    static OrtSession.SessionOptions sessionOptions(int threads) throws IOException {
        return sessionOptions(threads, Device.cpu());
    }

    /**
     * System property that puts TensorRT's execution provider before CUDA's on a GPU ({@code
     * -Dinception.ort.tensorrt=true}): TensorRT builds an engine per input shape on first use
     * (minutes for a large network) and needs the TensorRT libraries on the host.
     */
    public static final String TENSORRT = "inception.ort.tensorrt";

    /**
     * As {@link #sessionOptions(int)}, on {@code device}: a GPU adds CUDA's execution provider (and
     * TensorRT's before it with {@link #TENSORRT}); operators a provider lacks run on the CPU.
     */
    static OrtSession.SessionOptions sessionOptions(int threads, Device device) throws IOException {
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        try {
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
            options.setIntraOpNumThreads(intraOpThreads(threads));
            options.setInterOpNumThreads(1);
            options.addConfigEntry("session.intra_op.allow_spinning", "0");
        } catch (OrtException e) {
            options.close();
            throw new IOException("Cannot set ONNX Runtime session options: " + e.getMessage(), e);
        }
        if (device.isGpu()) {
            try {
                if (Boolean.getBoolean(TENSORRT)) {
                    options.addTensorrt(device.getDeviceId());
                }
                options.addCUDA(device.getDeviceId());
            } catch (OrtException | RuntimeException e) {
                options.close();
                throw new IOException(
                        "ONNX Runtime cannot run on "
                                + device
                                + ": "
                                + e.getMessage()
                                + ". GPU execution needs the onnxruntime_gpu build of this project"
                                + " (mvn -Pgpu package) and CUDA 12 with cuDNN 9 on the host"
                                + " (docs/deploy.md)",
                        e);
            }
        }
        return options;
    }

    /** Intra-op threads for {@code --threads}: 0 or less means one per available processor. */
    public static int intraOpThreads(int threads) {
        return threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
    }

    @Override
    public Batch forward(float[] images, int count) {
        try (NDManager batch = model.getNDManager().newSubManager()) {
            NDArray x = batch.create(images, new Shape(count, 3, inputSize, inputSize));
            NDList out = block.forward(new ParameterStore(batch, false), new NDList(x), false);
            float[] logits = new float[0];
            float[] embedding = null;
            for (NDArray array : out) {
                if (OnnxExport.LOGITS.equals(array.getName())) {
                    logits = array.toFloatArray();
                } else if (OnnxExport.EMBEDDING.equals(array.getName())) {
                    embedding = array.toFloatArray();
                }
            }
            if (embedding == null || logits.length != count * numClasses) {
                throw new IllegalStateException(
                        "The ONNX graph did not return logits [N,"
                                + numClasses
                                + "] and embedding [N,"
                                + embeddingSize
                                + "]");
            }
            return new Batch(count, logits, embedding);
        }
    }

    /** The graph's metadata_props (the model name, weights digest, preprocessing...). */
    public Map<String, String> metadata() {
        return metadata;
    }

    @Override
    public int numClasses() {
        return numClasses;
    }

    @Override
    public int embeddingSize() {
        return embeddingSize;
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
        close(model, options);
    }

    private static void close(Model model, OrtSession.SessionOptions options) {
        try {
            model.close();
        } finally {
            options.close();
        }
    }

    private static int integer(Map<String, String> metadata, String key) {
        return Integer.parseInt(metadata.get(key).trim());
    }

    private static String rootMessage(Throwable e) {
        Throwable cause = e;
        while (cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause.getMessage() != null ? cause.getMessage() : e.toString();
    }
}
