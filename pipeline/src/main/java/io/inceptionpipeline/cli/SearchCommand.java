package io.inceptionpipeline.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.inceptionpipeline.models.image.CropMode;
import io.inceptionpipeline.models.image.RgbImage;
import io.inceptionpipeline.models.inference.ScoreMean;
import io.inceptionpipeline.models.inference.Scores;
import io.inceptionpipeline.models.inference.ScoringModel;
import io.inceptionpipeline.models.train.FashionMnist;
import io.inceptionpipeline.operators.decode.IccMode;
import io.inceptionpipeline.operators.decode.ImageDecoder;
import io.inceptionpipeline.pipeline.index.EmbeddingIndexReader;
import io.inceptionpipeline.pipeline.index.EmbeddingIndexReader.Neighbor;
import io.inceptionpipeline.pipeline.index.IndexMetadata;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code search}: nearest neighbors in an embedding index written with {@code --index-dir}. */
@Command(
        name = "search",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Finds the nearest indexed images of query images (embedded with the model and weights the",
            "index records; another model or other weights are refused) or of indexed request ids, and",
            "prints one JSON object per query (JSON Lines):",
            "  {\"query\": ..., \"neighbors\": [{\"id\": ..., \"uri\": ..., \"score\": cos, \"label\": top-1}, ...]}",
            "score is the cosine similarity of the embeddings. The index is read on its last commit, so it",
            "can be searched while a job writes it (it sees the job's last completed checkpoint)."
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:every query answered",
            "1:some query failed (its record has an \"error\")",
            "2:invalid command line, or no index in --index",
            "3:the model cannot be loaded, or is not the index's"
        })
final class SearchCommand implements Callable<Integer> {

    @Option(
            names = "--index",
            required = true,
            paramLabel = "DIR",
            description = "The folder given to --index-dir.")
    Path index;

    @Option(
            names = "--k",
            defaultValue = "10",
            description = "Neighbors per query. Default: ${DEFAULT-VALUE}.")
    int k;

    static final class Queries {
        @Option(
                names = "--image",
                arity = "1..*",
                paramLabel = "FILE_OR_URI",
                description = "Query images: files or file:// URIs.")
        List<String> images;

        @Option(
                names = "--id",
                arity = "1..*",
                paramLabel = "REQUEST_ID",
                description = "Query by the stored vector of an indexed request id.")
        List<String> ids;

        @Option(
                names = "--bench-fashion-mnist",
                paramLabel = "DIR",
                description = {
                    "Benchmark instead: the Fashion-MNIST test images of DIR's idx files are the queries; an",
                    "indexed image's class is its URI's parent folder name (0-9). Prints precision@k, kNN",
                    "top-1, HNSW recall@k against the exact scan, and latency percentiles."
                })
        Path benchFashionMnist;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Queries queries;

    @Option(
            names = "--exact",
            description = "Scan every vector (exact neighbors) instead of the HNSW graph.")
    boolean exact;

    @Option(
            names = "--candidates",
            defaultValue = "100",
            description =
                    "Candidates the HNSW search explores per index segment (at least --k); more is slower and finds more of the exact neighbors. Default: ${DEFAULT-VALUE}.")
    int candidates;

    @Option(
            names = "--bench-limit",
            defaultValue = "0",
            description = "With --bench-fashion-mnist: only the first N test images (0: all).")
    int benchLimit;

    @Mixin ModelOptions modelOptions;

    @Mixin IccOption iccOption;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    private final ObjectMapper json = new ObjectMapper();

    @Override
    public Integer call() throws Exception {
        if (k < 1 || candidates < 1 || benchLimit < 0) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(), "--k and --candidates must be >= 1, --bench-limit >= 0");
        }
        EmbeddingIndexReader reader;
        try {
            reader = EmbeddingIndexReader.open(index);
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        try (reader) {
            if (queries.ids != null) {
                return byIds(reader);
            }
            ScoringModel model = loadIndexModel(reader.metadata());
            if (model == null) {
                return Main.EXIT_MODEL_ERROR;
            }
            try (model) {
                if (queries.benchFashionMnist != null) {
                    bench(reader, model, System.out);
                    return 0;
                }
                return byImages(reader, model);
            }
        }
    }

    /**
     * The index's model with the user's --weights (or the model's own), or null after printing why
     * it cannot be the index's: another model name, or weights of another digest.
     */
    ScoringModel loadIndexModel(IndexMetadata metadata) {
        boolean modelGiven = spec.commandLine().getParseResult().hasMatchedOption("--model");
        if (modelGiven && !modelOptions.model.equals(metadata.model())) {
            System.err.println(
                    "error: the index in "
                            + index
                            + " holds embeddings of model "
                            + metadata.model()
                            + ", not "
                            + modelOptions.model
                            + ": queries must be embedded by the same model (leave --model out to"
                            + " use the index's)");
            return null;
        }
        modelOptions.model = metadata.model();
        ScoringModel model = modelOptions.loadOrReport(); // known-answer check included
        if (model == null) {
            return null;
        }
        if (!model.weightsDigest().equals(metadata.weightsDigest())
                || model.embeddingSize() != metadata.dims()) {
            System.err.println(
                    "error: the index in "
                            + index
                            + " was built with "
                            + metadata.model()
                            + " weights "
                            + metadata.weightsDigest()
                            + " ("
                            + metadata.dims()
                            + "-d); the loaded weights are "
                            + model.weightsDigest()
                            + " ("
                            + model.embeddingSize()
                            + "-d): give --weights with the file the index was built with");
            model.close();
            return null;
        }
        return model;
    }

    private int byIds(EmbeddingIndexReader reader) throws IOException {
        int failures = 0;
        for (String id : queries.ids) {
            float[] vector = reader.vector(id);
            if (vector == null) {
                failures++;
                System.out.println(error(id, "No document with id " + id + " in " + index));
            } else {
                System.out.println(answer(id, neighbors(reader, vector)));
            }
        }
        return failures == 0 ? 0 : 1;
    }

    private int byImages(EmbeddingIndexReader reader, ScoringModel model) throws IOException {
        ImageDecoder decoder =
                new ImageDecoder(ImageDecoder.DEFAULT_MAX_PIXELS, IccMode.parse(iccOption.icc));
        CropMode mode = CropMode.parse(reader.metadata().cropMode());
        int failures = 0;
        for (String query : queries.images) {
            float[] vector;
            try {
                Path file = path(query);
                vector = embed(model, decoder.decode(Files.readAllBytes(file)), mode);
            } catch (Exception e) {
                failures++;
                System.out.println(
                        error(query, e.getClass().getSimpleName() + ": " + e.getMessage()));
                continue;
            }
            System.out.println(answer(query, neighbors(reader, vector)));
        }
        return failures == 0 ? 0 : 1;
    }

    private List<Neighbor> neighbors(EmbeddingIndexReader reader, float[] vector)
            throws IOException {
        return exact ? reader.exact(vector, k) : reader.search(vector, k, candidates);
    }

    /** A query argument as a local file: a path or a {@code file:} URI. */
    private static Path path(String query) {
        if (query.startsWith("file:")) {
            return Path.of(URI.create(query));
        }
        if (query.matches("^[a-zA-Z][a-zA-Z0-9+.-]*://.*")) {
            throw new IllegalArgumentException(
                    "search reads query images from local files or file:// URIs, not " + query);
        }
        return Path.of(query);
    }

    /** The embedding of an image as the job computes it: its crops' mean embedding. */
    static float[] embed(ScoringModel model, RgbImage image, CropMode mode) {
        List<RgbImage> crops = model.preprocessor().crops(image, mode);
        List<Scores> scores = model.score(crops, 1, true);
        if (scores.size() == 1) {
            return scores.get(0).embedding();
        }
        ScoreMean mean = new ScoreMean(model.numClasses());
        for (Scores s : scores) {
            mean.addEmbedding(s.embedding());
        }
        return mean.embeddingMean();
    }

    /** Precision@k, kNN top-1, recall@k of HNSW against exact, latencies; over the test set. */
    private void bench(EmbeddingIndexReader reader, ScoringModel model, PrintStream out)
            throws IOException {
        FashionMnist.Split test = FashionMnist.load(queries.benchFashionMnist, false);
        if (benchLimit > 0) {
            test = test.head(benchLimit);
        }
        Map<String, String> classOf = new HashMap<>();
        for (Neighbor doc : reader.documents()) {
            classOf.put(doc.id(), classOfUri(doc.uri()));
        }
        CropMode mode = CropMode.parse(reader.metadata().cropMode());
        int n = test.size();
        long embedStarted = System.nanoTime();
        float[][] vectors = new float[n][];
        int batch = 250;
        for (int from = 0; from < n; from += batch) {
            List<RgbImage> crops = new ArrayList<>();
            for (int i = from; i < Math.min(n, from + batch); i++) {
                if (mode.cropCount() == 1) {
                    crops.addAll(model.preprocessor().crops(test.rgb(i), mode));
                } else {
                    vectors[i] = embed(model, test.rgb(i), mode);
                }
            }
            if (!crops.isEmpty()) {
                List<Scores> scores = model.score(crops, 1, true);
                for (int i = 0; i < scores.size(); i++) {
                    vectors[from + i] = scores.get(i).embedding();
                }
            }
        }
        double embedSeconds = (System.nanoTime() - embedStarted) / 1e9;
        // warm-up: graph and vector files into the page cache, JIT
        for (int i = 0; i < Math.min(n, 200); i++) {
            reader.search(vectors[i], k, candidates);
            reader.exact(vectors[i], k);
        }
        long[] hnswNanos = new long[n];
        long[] exactNanos = new long[n];
        double precision = 0, recall = 0;
        int knnCorrect = 0;
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            List<Neighbor> approx = reader.search(vectors[i], k, candidates);
            long t1 = System.nanoTime();
            List<Neighbor> truth = reader.exact(vectors[i], k);
            long t2 = System.nanoTime();
            hnswNanos[i] = t1 - t0;
            exactNanos[i] = t2 - t1;
            String label = Integer.toString(test.labels()[i]);
            int same = 0;
            Map<String, Integer> votes = new HashMap<>();
            for (Neighbor nb : approx) {
                String c = classOf.get(nb.id());
                if (label.equals(c)) {
                    same++;
                }
                votes.merge(c, 1, Integer::sum);
            }
            precision += (double) same / k;
            if (label.equals(vote(votes, approx, classOf))) {
                knnCorrect++;
            }
            java.util.Set<String> exactIds = new java.util.HashSet<>();
            truth.forEach(nb -> exactIds.add(nb.id()));
            recall += approx.stream().filter(nb -> exactIds.contains(nb.id())).count() / (double) k;
        }
        out.printf(
                Locale.ROOT,
                "index %s: %d vectors of %d dims (%s, %s), %d queries (Fashion-MNIST test), k %d,"
                        + " candidates %d%n",
                index,
                reader.size(),
                reader.metadata().dims(),
                reader.metadata().model(),
                reader.metadata().weightsDigest(),
                n,
                k,
                candidates);
        out.printf(Locale.ROOT, "precision@%d (HNSW)      %.4f%n", k, precision / n);
        out.printf(Locale.ROOT, "kNN top-1 (k=%d, HNSW)   %.4f%n", k, knnCorrect / (double) n);
        out.printf(Locale.ROOT, "recall@%d HNSW vs exact %.4f%n", k, recall / n);
        out.printf(
                Locale.ROOT,
                "HNSW  latency ms: p50 %.3f  p99 %.3f  max %.3f%n",
                percentile(hnswNanos, 50),
                percentile(hnswNanos, 99),
                percentile(hnswNanos, 100));
        out.printf(
                Locale.ROOT,
                "exact latency ms: p50 %.3f  p99 %.3f  max %.3f%n",
                percentile(exactNanos, 50),
                percentile(exactNanos, 99),
                percentile(exactNanos, 100));
        out.printf(
                Locale.ROOT,
                "query embedding: %.1f s for %d images (%.0f images/s; not in the latencies)%n",
                embedSeconds,
                n,
                n / embedSeconds);
    }

    /** The majority class of the neighbors; a tie goes to the class of the nearer neighbor. */
    private static String vote(
            Map<String, Integer> votes, List<Neighbor> ranked, Map<String, String> classOf) {
        int most = votes.values().stream().mapToInt(Integer::intValue).max().orElse(0);
        for (Neighbor nb : ranked) {
            String c = classOf.get(nb.id());
            if (votes.getOrDefault(c, 0) == most) {
                return c;
            }
        }
        return null;
    }

    /** The name of the folder the URI's file is in. */
    private static String classOfUri(String uri) {
        String path = URI.create(uri).getPath();
        String[] parts = path.split("/");
        return parts.length >= 2 ? parts[parts.length - 2] : "";
    }

    private static double percentile(long[] nanos, int p) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        int at = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, at))] / 1e6;
    }

    private String answer(String query, List<Neighbor> neighbors) throws IOException {
        ObjectNode record = json.createObjectNode();
        record.put("query", query);
        ArrayNode list = record.putArray("neighbors");
        for (Neighbor nb : neighbors) {
            ObjectNode o = list.addObject();
            o.put("id", nb.id());
            o.put("uri", nb.uri());
            o.put("score", nb.score());
            o.put("label", nb.label());
        }
        return json.writeValueAsString(record);
    }

    private String error(String query, String message) throws IOException {
        ObjectNode record = json.createObjectNode();
        record.put("query", query);
        record.put("error", message);
        return json.writeValueAsString(record);
    }
}
