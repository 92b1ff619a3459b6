package io.inceptionpipeline.pipeline.index;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the vectors of an embedding index are: the model and weights that computed them, their
 * width, their normalization and the similarity the HNSW graph was built with. Stored in every
 * Lucene commit's user data, so an index says by itself which model must embed its queries.
 *
 * @param model registry name of the model, e.g. {@code inception_resnet_fmnist}
 * @param weightsDigest {@code sha256:<hex>} of the weights, or {@code seeded:<seed>}
 * @param dims width of the embedding
 * @param cropMode how images became model input ({@code center}, {@code ten}, ...): queries are
 *     embedded the same way
 */
public record IndexMetadata(String model, String weightsDigest, int dims, String cropMode) {

    /** Vectors are divided by their L2 norm before indexing (and so are queries). */
    public static final String NORMALIZATION = "l2";

    /** Lucene's similarity on the unit vectors: their dot product, equal to their cosine. */
    public static final String SIMILARITY = "dot_product";

    /** Version of this layout; a reader refuses others. */
    public static final String FORMAT = "1";

    static final String KEY_FORMAT = "inception.index.format";
    static final String KEY_MODEL = "inception.model";
    static final String KEY_WEIGHTS = "inception.weights_digest";
    static final String KEY_DIMS = "inception.dims";
    static final String KEY_CROP = "inception.crop_mode";
    static final String KEY_NORMALIZATION = "inception.normalization";
    static final String KEY_SIMILARITY = "inception.similarity";

    /** Also stored in the user data: the Flink checkpoint whose barrier the commit follows. */
    static final String KEY_CHECKPOINT = "inception.checkpoint";

    public IndexMetadata {
        if (model == null || model.isBlank() || weightsDigest == null || dims < 1) {
            throw new IllegalArgumentException(
                    "Index metadata needs a model, a weights digest and dims >= 1");
        }
    }

    /** The commit user data of this metadata. */
    public Map<String, String> toUserData() {
        Map<String, String> data = new LinkedHashMap<>();
        data.put(KEY_FORMAT, FORMAT);
        data.put(KEY_MODEL, model);
        data.put(KEY_WEIGHTS, weightsDigest);
        data.put(KEY_DIMS, Integer.toString(dims));
        data.put(KEY_CROP, cropMode);
        data.put(KEY_NORMALIZATION, NORMALIZATION);
        data.put(KEY_SIMILARITY, SIMILARITY);
        return data;
    }

    /** The metadata in a commit's user data, or null when the commit has none (an empty index). */
    public static IndexMetadata fromUserData(Map<String, String> data) {
        if (!data.containsKey(KEY_MODEL)) {
            return null;
        }
        if (!FORMAT.equals(data.get(KEY_FORMAT))
                || !NORMALIZATION.equals(data.get(KEY_NORMALIZATION))
                || !SIMILARITY.equals(data.get(KEY_SIMILARITY))) {
            throw new IllegalStateException(
                    "Unknown index layout: format "
                            + data.get(KEY_FORMAT)
                            + ", normalization "
                            + data.get(KEY_NORMALIZATION)
                            + ", similarity "
                            + data.get(KEY_SIMILARITY)
                            + " (this version writes and reads format "
                            + FORMAT
                            + ")");
        }
        return new IndexMetadata(
                data.get(KEY_MODEL),
                data.get(KEY_WEIGHTS),
                Integer.parseInt(data.get(KEY_DIMS)),
                data.get(KEY_CROP));
    }

    /** Why vectors of {@code other} cannot go into (or query) an index of this, or null. */
    public String mismatch(IndexMetadata other) {
        if (!model.equals(other.model) || !weightsDigest.equals(other.weightsDigest)) {
            return "the index holds embeddings of model "
                    + model
                    + " with weights "
                    + weightsDigest
                    + ", not of "
                    + other.model
                    + " with weights "
                    + other.weightsDigest;
        }
        if (dims != other.dims) {
            return "the index holds " + dims + "-d embeddings, not " + other.dims + "-d";
        }
        if (cropMode != null && other.cropMode != null && !cropMode.equals(other.cropMode)) {
            return "the index holds embeddings of "
                    + cropMode
                    + " crops, not of "
                    + other.cropMode
                    + " crops";
        }
        return null;
    }
}
