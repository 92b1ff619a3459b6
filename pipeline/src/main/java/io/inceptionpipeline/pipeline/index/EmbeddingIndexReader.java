package io.inceptionpipeline.pipeline.index;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.lucene.document.Document;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.IndexReader;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.MultiReader;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.util.Bits;
import org.apache.lucene.util.VectorUtil;

/**
 * Reads an embedding index: every {@code part-*} folder of {@code DIR} on its last commit, as one
 * {@link MultiReader}. Opening while a job writes the index is safe and sees what the job had
 * committed at its last completed checkpoint (Lucene readers open commits; documents a writer holds
 * uncommitted are invisible). Neighbors are ranked by cosine similarity of the L2-normalized
 * embeddings: approximately through the HNSW graphs ({@link #search}) or by a full scan ({@link
 * #exact}).
 */
public final class EmbeddingIndexReader implements AutoCloseable {

    /** One answer: a stored document and its cosine similarity to the query. */
    public record Neighbor(String id, String uri, float score, String label) {}

    private final List<DirectoryReader> parts;
    private final MultiReader reader;
    private final IndexSearcher searcher;
    private final IndexMetadata metadata;

    private EmbeddingIndexReader(List<DirectoryReader> parts, IndexMetadata metadata)
            throws IOException {
        this.parts = parts;
        this.reader = new MultiReader(parts.toArray(new IndexReader[0]), false);
        this.searcher = new IndexSearcher(reader);
        this.metadata = metadata;
    }

    /** Opens every committed part of the index in {@code dir}. */
    public static EmbeddingIndexReader open(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("No index folder " + dir);
        }
        List<Path> folders;
        try (Stream<Path> list = Files.list(dir)) {
            folders =
                    list.filter(Files::isDirectory)
                            .filter(p -> p.getFileName().toString().startsWith("part-"))
                            .sorted()
                            .toList();
        }
        List<DirectoryReader> parts = new ArrayList<>();
        IndexMetadata metadata = null;
        Path metadataFrom = null;
        try {
            for (Path folder : folders) {
                FSDirectory directory = FSDirectory.open(folder);
                if (!DirectoryReader.indexExists(directory)) {
                    directory.close(); // a part whose subtask has not committed yet
                    continue;
                }
                DirectoryReader part = DirectoryReader.open(directory);
                parts.add(part);
                IndexMetadata of = IndexMetadata.fromUserData(part.getIndexCommit().getUserData());
                if (of == null) {
                    continue;
                }
                if (metadata == null) {
                    metadata = of;
                    metadataFrom = folder;
                } else if (metadata.mismatch(of) != null) {
                    throw new IllegalStateException(
                            "The parts of index "
                                    + dir
                                    + " disagree: "
                                    + metadataFrom
                                    + " vs "
                                    + folder
                                    + ": "
                                    + metadata.mismatch(of));
                }
            }
            if (metadata == null) {
                throw new IllegalArgumentException(
                        "No committed embedding index in "
                                + dir
                                + " (no part-*/ folder with a commit: has the job completed a"
                                + " checkpoint, or the archive run finished?)");
            }
            return new EmbeddingIndexReader(parts, metadata);
        } catch (IOException | RuntimeException e) {
            for (DirectoryReader part : parts) {
                closeQuietly(part);
            }
            throw e;
        }
    }

    public IndexMetadata metadata() {
        return metadata;
    }

    /** Documents in the index. */
    public int size() {
        return reader.numDocs();
    }

    /**
     * The {@code k} nearest documents by HNSW search, exploring {@code candidates} (≥ k) per graph:
     * more candidates, higher recall, slower.
     */
    public List<Neighbor> search(float[] query, int k, int candidates) throws IOException {
        float[] unit = EmbeddingDocuments.l2Normalize(query.clone());
        int n = Math.max(k, candidates);
        TopDocs top =
                searcher.search(new KnnFloatVectorQuery(EmbeddingDocuments.VECTOR, unit, n), n);
        List<Neighbor> out = new ArrayList<>(k);
        Set<String> seen = new LinkedHashSet<>();
        StoredFields stored = searcher.storedFields();
        for (ScoreDoc hit : top.scoreDocs) {
            // Lucene's dot-product score is (1 + cos) / 2
            Neighbor neighbor = neighbor(stored.document(hit.doc), 2 * hit.score - 1);
            if (seen.add(neighbor.id()) && out.size() < k) {
                out.add(neighbor);
            }
        }
        return out;
    }

    /** The {@code k} nearest documents by a scan of every vector (exact; for comparison). */
    public List<Neighbor> exact(float[] query, int k) throws IOException {
        float[] unit = EmbeddingDocuments.l2Normalize(query.clone());
        // a few more than k: a document can sit in two parts after a rescale (same id)
        int keep = k + 8;
        PriorityQueue<ScoreDoc> best =
                new PriorityQueue<>(keep + 1, Comparator.comparingDouble(d -> d.score));
        for (LeafReaderContext leaf : reader.leaves()) {
            LeafReader leafReader = leaf.reader();
            FloatVectorValues values = leafReader.getFloatVectorValues(EmbeddingDocuments.VECTOR);
            if (values == null) {
                continue;
            }
            Bits live = leafReader.getLiveDocs();
            for (int doc = values.nextDoc();
                    doc != DocIdSetIterator.NO_MORE_DOCS;
                    doc = values.nextDoc()) {
                if (live != null && !live.get(doc)) {
                    continue;
                }
                float score = VectorUtil.dotProduct(unit, values.vectorValue());
                if (best.size() < keep || score > best.peek().score) {
                    best.add(new ScoreDoc(leaf.docBase + doc, score));
                    if (best.size() > keep) {
                        best.poll();
                    }
                }
            }
        }
        List<ScoreDoc> ranked = new ArrayList<>(best);
        ranked.sort(Comparator.comparingDouble((ScoreDoc d) -> d.score).reversed());
        List<Neighbor> out = new ArrayList<>(k);
        Set<String> seen = new LinkedHashSet<>();
        StoredFields stored = searcher.storedFields();
        for (ScoreDoc hit : ranked) {
            Neighbor neighbor = neighbor(stored.document(hit.doc), hit.score);
            if (seen.add(neighbor.id()) && out.size() < k) {
                out.add(neighbor);
            }
        }
        return out;
    }

    /** The stored (normalized) vector of request {@code id}, or null when it is not indexed. */
    public float[] vector(String id) throws IOException {
        TopDocs hits = searcher.search(new TermQuery(new Term(EmbeddingDocuments.ID, id)), 1);
        if (hits.scoreDocs.length == 0) {
            return null;
        }
        int doc = hits.scoreDocs[0].doc;
        for (LeafReaderContext leaf : reader.leaves()) {
            if (doc >= leaf.docBase && doc < leaf.docBase + leaf.reader().maxDoc()) {
                FloatVectorValues values =
                        leaf.reader().getFloatVectorValues(EmbeddingDocuments.VECTOR);
                if (values != null && values.advance(doc - leaf.docBase) == doc - leaf.docBase) {
                    return values.vectorValue().clone();
                }
            }
        }
        return null;
    }

    /** The stored fields of every document, in index order (benchmarks, tests). */
    public List<Neighbor> documents() throws IOException {
        List<Neighbor> out = new ArrayList<>(reader.numDocs());
        StoredFields stored = searcher.storedFields();
        Bits live = org.apache.lucene.index.MultiBits.getLiveDocs(reader);
        for (int doc = 0; doc < reader.maxDoc(); doc++) {
            if (live == null || live.get(doc)) {
                out.add(neighbor(stored.document(doc), Float.NaN));
            }
        }
        return out;
    }

    private static Neighbor neighbor(Document doc, float score) {
        return new Neighbor(
                doc.get(EmbeddingDocuments.ID),
                doc.get(EmbeddingDocuments.URI),
                score,
                doc.get(EmbeddingDocuments.LABEL));
    }

    @Override
    public void close() throws IOException {
        reader.close();
        for (DirectoryReader part : parts) {
            closeQuietly(part);
        }
    }

    private static void closeQuietly(DirectoryReader part) {
        try {
            part.close();
            part.directory().close();
        } catch (IOException e) {
            // closing a read-only view
        }
    }
}
