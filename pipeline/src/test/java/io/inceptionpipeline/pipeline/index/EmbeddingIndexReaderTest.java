package io.inceptionpipeline.pipeline.index;

import static org.assertj.core.api.Assertions.assertThat;

import io.inceptionpipeline.schemas.Prediction;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** HNSW search against the exact scan, and the exact scan against a brute force of its own. */
class EmbeddingIndexReaderTest {

    @TempDir Path dir;

    @Test
    void hnswFindsNearlyAllExactNeighborsAndExactIsBruteForce() throws Exception {
        int n = 3000;
        int dims = 32;
        List<float[]> vectors = new ArrayList<>();
        // two parts, as two inference subtasks write them
        try (SubtaskIndex a = SubtaskIndex.open(SubtaskIndex.partDirectory(dir, 0));
                SubtaskIndex b = SubtaskIndex.open(SubtaskIndex.partDirectory(dir, 1))) {
            for (int i = 0; i < n; i++) {
                Prediction p = TestPredictions.of("v" + i, i, dims);
                vectors.add(EmbeddingDocuments.l2Normalized(p.getEmbedding()));
                (i % 2 == 0 ? a : b).upsert(p);
            }
            a.commitAll(1);
            b.commitAll(1);
        }
        SplittableRandom random = new SplittableRandom(7);
        int queries = 50;
        int k = 10;
        double recall = 0;
        try (EmbeddingIndexReader reader = EmbeddingIndexReader.open(dir)) {
            assertThat(reader.size()).isEqualTo(n);
            for (int q = 0; q < queries; q++) {
                float[] query = new float[dims];
                for (int d = 0; d < dims; d++) {
                    query[d] = (float) random.nextDouble(-1, 1);
                }
                List<String> exact =
                        reader.exact(query, k).stream()
                                .map(EmbeddingIndexReader.Neighbor::id)
                                .toList();
                assertThat(exact).isEqualTo(bruteForce(vectors, query, k));
                List<String> approx =
                        reader.search(query, k, 100).stream()
                                .map(EmbeddingIndexReader.Neighbor::id)
                                .toList();
                recall += approx.stream().filter(exact::contains).count() / (double) k;
            }
            // an indexed vector is its own nearest neighbor, with cosine 1
            EmbeddingIndexReader.Neighbor self =
                    reader.search(reader.vector("v123"), 1, 100).get(0);
            assertThat(self.id()).isEqualTo("v123");
            assertThat(self.score()).isCloseTo(1f, org.assertj.core.data.Offset.offset(1e-5f));
        }
        assertThat(recall / queries).isGreaterThanOrEqualTo(0.95);
    }

    private static List<String> bruteForce(List<float[]> vectors, float[] query, int k) {
        float[] unit = EmbeddingDocuments.l2Normalize(query.clone());
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < vectors.size(); i++) {
            order.add(i);
        }
        order.sort(Comparator.comparingDouble((Integer i) -> -dot(vectors.get(i), unit)));
        return order.subList(0, k).stream().map(i -> "v" + i).toList();
    }

    private static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    @Test
    void l2NormalizationGivesUnitVectorsAndKeepsZero() {
        Prediction p = TestPredictions.of("x", 3, 64);
        new EmbeddingNormalizer().map(p);
        double norm = 0;
        for (float v : p.getEmbedding()) {
            norm += v * v;
        }
        assertThat(norm).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-5));
        assertThat(EmbeddingDocuments.l2Normalize(new float[] {0, 0})).containsExactly(0, 0);
    }
}
