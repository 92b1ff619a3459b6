package io.inceptionpipeline.models.verify;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.inceptionpipeline.models.weights.SeededWeights;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A model's known answers: a fixed batch of two different images and the logits and embeddings that
 * a trusted computation gave for them, committed with the project under {@code
 * io/inceptionpipeline/models/canary/<model>.json}. For the family's networks they are the
 * reference implementation's outputs on seeded weights ({@code make_canaries.py} from the parity
 * references); for the shipped Fashion-MNIST model, a reviewed run on its trained weights and on
 * seeded weights ({@code CanaryWriter}, MXNet and PyTorch agreeing).
 *
 * @param model the registry name
 * @param inputSize side of the square inputs
 * @param entries one set of answers per weights the answers hold for
 */
public record Canary(String model, int inputSize, List<Entry> entries) {

    /** Seed of the canary's inputs and of its seeded weights. */
    public static final long SEED = 42;

    /** (scale, offset) of the two input images: uniform in [-1, 1] and in [-0.75, 0.25]. */
    private static final double[][] INPUT_SCALE_OFFSET = {{1.0, 0.0}, {0.5, -0.25}};

    /**
     * The answers for one set of weights.
     *
     * @param weights the weights they hold for: {@code seeded:42} or a {@code sha256:<hex>} digest
     * @param computedBy what computed them
     * @param numClasses rows of the classifier (0: embedding-only network)
     * @param logits per image, empty rows for an embedding-only network
     * @param embedding per image
     */
    public record Entry(
            String weights,
            String computedBy,
            int numClasses,
            float[][] logits,
            float[][] embedding) {}

    /** The canary of {@code model}, if the project has one. */
    public static Optional<Canary> of(String model) {
        String resource = "/io/inceptionpipeline/models/canary/" + model + ".json";
        try (InputStream in = Canary.class.getResourceAsStream(resource)) {
            if (in == null) {
                return Optional.empty();
            }
            JsonObject json =
                    JsonParser.parseReader(new InputStreamReader(in, StandardCharsets.UTF_8))
                            .getAsJsonObject();
            List<Entry> entries = new ArrayList<>();
            for (JsonElement e : json.getAsJsonArray("entries")) {
                JsonObject entry = e.getAsJsonObject();
                entries.add(
                        new Entry(
                                entry.get("weights").getAsString(),
                                entry.get("computed_by").getAsString(),
                                entry.get("num_classes").getAsInt(),
                                rows(entry.getAsJsonArray("logits")),
                                rows(entry.getAsJsonArray("embedding"))));
            }
            return Optional.of(
                    new Canary(
                            json.get("model").getAsString(),
                            json.get("input_size").getAsInt(),
                            List.copyOf(entries)));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + resource, e);
        }
    }

    /** The answers for the weights whose digest is {@code weights}, if recorded. */
    public Optional<Entry> entry(String weights) {
        return entries.stream().filter(e -> e.weights().equals(weights)).findFirst();
    }

    /** Number of images in the canary batch. */
    public static int batchSize() {
        return INPUT_SCALE_OFFSET.length;
    }

    /** The canary batch for {@code size}×{@code size} inputs, NCHW, flattened. */
    public static float[] inputs(int size) {
        int perImage = 3 * size * size;
        float[] all = new float[INPUT_SCALE_OFFSET.length * perImage];
        for (int i = 0; i < INPUT_SCALE_OFFSET.length; i++) {
            float[] image =
                    SeededWeights.uniform(
                            SEED ^ SeededWeights.fnv1a64("input/" + i),
                            perImage,
                            INPUT_SCALE_OFFSET[i][0],
                            INPUT_SCALE_OFFSET[i][1]);
            System.arraycopy(image, 0, all, i * perImage, perImage);
        }
        return all;
    }

    private static float[][] rows(JsonArray array) {
        float[][] out = new float[array.size()][];
        for (int r = 0; r < out.length; r++) {
            JsonArray row = array.get(r).getAsJsonArray();
            out[r] = new float[row.size()];
            for (int i = 0; i < out[r].length; i++) {
                out[r][i] = row.get(i).getAsFloat();
            }
        }
        return out;
    }
}
