package io.inceptionpipeline.models.testing;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.inceptionpipeline.models.verify.Canary;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * Outputs of a reference implementation, computed by {@code
 * models/src/test/python/generate_reference.py} on seeded weights and inputs, and the same seeded
 * inputs computed here.
 */
public final class Reference {

    /** Seed of the committed reference outputs. */
    public static final long SEED = Canary.SEED;

    private final JsonObject json;

    private Reference(JsonObject json) {
        this.json = json;
    }

    /** Loads {@code reference/<model>.json} from the test resources. */
    public static Reference load(String model) {
        String resource = "/reference/" + model + ".json";
        try (InputStream in = Reference.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("Missing test resource " + resource);
            }
            return new Reference(
                    JsonParser.parseReader(new InputStreamReader(in, StandardCharsets.UTF_8))
                            .getAsJsonObject());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The seeded input batch, NCHW, flattened: the known-answer batch of every model load. */
    public static float[] inputs(int size) {
        return Canary.inputs(size);
    }

    public static int batchSize() {
        return Canary.batchSize();
    }

    /** Side of the square input the outputs were computed on. */
    public int inputSize() {
        return json.getAsJsonArray("input_shape").get(2).getAsInt();
    }

    /** Rows of the classifier the reference was built with. */
    public int numClasses() {
        return json.get("num_classes").getAsInt();
    }

    public long parameters() {
        return json.get("parameters").getAsLong();
    }

    /** Conv + linear multiply-accumulates of one image, counted by forward hooks. */
    public long macsPerImage() {
        return json.get("macs_per_image").getAsLong();
    }

    /** Row {@code image} of a 2-D array field such as logits or embedding. */
    public float[] row(String field, int image) {
        var row = json.getAsJsonArray(field).get(image).getAsJsonArray();
        float[] out = new float[row.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = row.get(i).getAsFloat();
        }
        return out;
    }

    public int[] top5(int image) {
        var row = json.getAsJsonArray("top5_index").get(image).getAsJsonArray();
        int[] out = new int[row.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = row.get(i).getAsInt();
        }
        return out;
    }
}
