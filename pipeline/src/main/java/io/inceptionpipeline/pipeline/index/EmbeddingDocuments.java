package io.inceptionpipeline.pipeline.index;

import io.inceptionpipeline.schemas.ClassScore;
import io.inceptionpipeline.schemas.Prediction;
import java.util.List;
import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.KnnVectorsReader;
import org.apache.lucene.codecs.KnnVectorsWriter;
import org.apache.lucene.codecs.lucene912.Lucene912Codec;
import org.apache.lucene.codecs.lucene99.Lucene99HnswVectorsFormat;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.index.SegmentReadState;
import org.apache.lucene.index.SegmentWriteState;
import org.apache.lucene.index.VectorSimilarityFunction;

/**
 * A prediction as a Lucene document: the L2-normalized embedding as an HNSW vector (dot product),
 * and the stored fields a search answer shows. One definition of the field names, shared by the
 * writer and the search.
 */
public final class EmbeddingDocuments {

    public static final String ID = "id";
    public static final String URI = "uri";
    public static final String MODEL = "model";
    public static final String WEIGHTS = "weights_digest";
    public static final String LABEL = "label";
    public static final String SCORE = "score";
    public static final String SCORED_AT = "scored_at";
    public static final String VECTOR = "embedding";

    /** Widest embedding indexed: Lucene's default codec stops at 1024, IRv2's is 1536. */
    public static final int MAX_DIMS = 4096;

    /** HNSW neighbors per node (Lucene's default). */
    public static final int HNSW_M = 16;

    /**
     * Candidates kept while a vector is inserted into the graph (Lucene's default is 100). 32 costs
     * about a quarter of 100's build time and kept recall@10 at 0.9998 on Fashion-MNIST embeddings
     * (docs/benchmarks.md); raise it for harder data.
     */
    public static final int DEFAULT_BEAM_WIDTH = 32;

    private EmbeddingDocuments() {}

    /** The document of a prediction that has an embedding. */
    public static Document document(Prediction prediction) {
        List<Float> embedding = prediction.getEmbedding();
        if (embedding == null || embedding.isEmpty()) {
            throw new IllegalArgumentException(
                    "Prediction " + prediction.getRequestId() + " has no embedding to index");
        }
        Document doc = new Document();
        doc.add(new StringField(ID, prediction.getRequestId(), Field.Store.YES));
        doc.add(new StoredField(URI, prediction.getUri()));
        doc.add(new StoredField(MODEL, prediction.getModel().getName()));
        doc.add(new StoredField(WEIGHTS, prediction.getModel().getWeightsDigest()));
        if (!prediction.getTopK().isEmpty()) {
            ClassScore top = prediction.getTopK().get(0);
            doc.add(new StoredField(LABEL, top.getLabel()));
            doc.add(new StoredField(SCORE, top.getScore()));
        }
        doc.add(new StoredField(SCORED_AT, prediction.getScoredAt().toEpochMilli()));
        doc.add(
                new KnnFloatVectorField(
                        VECTOR, l2Normalized(embedding), VectorSimilarityFunction.DOT_PRODUCT));
        return doc;
    }

    /** The metadata the prediction's model gives an index. */
    public static IndexMetadata metadata(Prediction prediction) {
        return new IndexMetadata(
                prediction.getModel().getName(),
                prediction.getModel().getWeightsDigest(),
                prediction.getEmbedding() == null ? 0 : prediction.getEmbedding().size(),
                prediction.getCropMode());
    }

    /** {@code v / ||v||₂}; a zero vector stays zero (it has no direction). */
    public static float[] l2Normalized(List<Float> v) {
        float[] out = new float[v.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = v.get(i);
        }
        return l2Normalize(out);
    }

    /** Divides {@code v} by its L2 norm in place and returns it; a zero vector stays zero. */
    public static float[] l2Normalize(float[] v) {
        double sum = 0;
        for (float x : v) {
            sum += (double) x * x;
        }
        if (sum > 0) {
            float scale = (float) (1 / Math.sqrt(sum));
            for (int i = 0; i < v.length; i++) {
                v[i] *= scale;
            }
        }
        return v;
    }

    /**
     * Lucene's default codec with an HNSW format (M {@link #HNSW_M}, {@code beamWidth}) that
     * accepts up to {@link #MAX_DIMS} dimensions. Files are written under the standard format
     * names, so any Lucene 9.12 reads them (reading has no width limit; only the writer's check is
     * raised, as Elasticsearch and OpenSearch do).
     */
    public static Lucene912Codec codec(int beamWidth) {
        KnnVectorsFormat wide =
                new WideHnswFormat(new Lucene99HnswVectorsFormat(HNSW_M, beamWidth));
        return new Lucene912Codec() {
            @Override
            public KnnVectorsFormat getKnnVectorsFormatForField(String field) {
                return wide;
            }
        };
    }

    /** {@link Lucene99HnswVectorsFormat} with a higher width limit. */
    private static final class WideHnswFormat extends KnnVectorsFormat {
        private final KnnVectorsFormat delegate;

        WideHnswFormat(KnnVectorsFormat delegate) {
            super(delegate.getName());
            this.delegate = delegate;
        }

        @Override
        public KnnVectorsWriter fieldsWriter(SegmentWriteState state) throws java.io.IOException {
            return delegate.fieldsWriter(state);
        }

        @Override
        public KnnVectorsReader fieldsReader(SegmentReadState state) throws java.io.IOException {
            return delegate.fieldsReader(state);
        }

        @Override
        public int getMaxDimensions(String fieldName) {
            return MAX_DIMS;
        }
    }
}
