package io.inceptionpipeline.pipeline.index;

import io.inceptionpipeline.schemas.Prediction;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.SegmentInfos;
import org.apache.lucene.index.Term;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;

/**
 * One inference subtask's part of an embedding index: a Lucene {@link IndexWriter} over {@code
 * DIR/part-<subtask>}, opened on the part's last commit (what was written but not committed is
 * dropped), documents upserted by request id, committed in two phases.
 *
 * <p>Lucene's two phases: {@link #prepareCommit} flushes every document added so far into segments,
 * syncs them and writes a pending {@code segments_N}; documents added afterwards are not part of
 * it. {@link #commit} publishes exactly that pending commit. A second prepare before the commit is
 * refused by Lucene, so {@link #prepareCommit} then does nothing and the later documents wait for
 * the next one. Closing without a commit rolls back to the last commit.
 */
public final class SubtaskIndex implements AutoCloseable {

    private final Path path;
    private final Directory directory;
    private final IndexWriter writer;
    private IndexMetadata metadata;
    private boolean prepared;

    private SubtaskIndex(Path path, Directory directory, IndexWriter writer, IndexMetadata meta) {
        this.path = path;
        this.directory = directory;
        this.writer = writer;
        this.metadata = meta;
    }

    /** The folder of subtask {@code subtask}'s part of the index in {@code indexDir}. */
    public static Path partDirectory(Path indexDir, int subtask) {
        return indexDir.resolve("part-" + subtask);
    }

    /** Opens (or creates) the part in {@code path} on its last commit, with the default beam. */
    public static SubtaskIndex open(Path path) throws IOException {
        return open(path, EmbeddingDocuments.DEFAULT_BEAM_WIDTH);
    }

    /** Opens (or creates) the part; new vectors go into the graph with {@code beamWidth}. */
    public static SubtaskIndex open(Path path, int beamWidth) throws IOException {
        Files.createDirectories(path);
        Directory directory = FSDirectory.open(path);
        try {
            IndexMetadata existing = null;
            if (DirectoryReader.indexExists(directory)) {
                existing =
                        IndexMetadata.fromUserData(
                                SegmentInfos.readLatestCommit(directory).getUserData());
            }
            IndexWriterConfig config =
                    new IndexWriterConfig()
                            .setCodec(EmbeddingDocuments.codec(beamWidth))
                            .setOpenMode(IndexWriterConfig.OpenMode.CREATE_OR_APPEND)
                            // a failed task must not publish what the checkpoint did not cover
                            .setCommitOnClose(false)
                            .setRAMBufferSizeMB(64);
            return new SubtaskIndex(path, directory, new IndexWriter(directory, config), existing);
        } catch (IOException | RuntimeException e) {
            directory.close();
            throw e;
        }
    }

    /**
     * Adds the prediction's document, replacing the one of the same request id. Refuses a
     * prediction of another model, weights or width than the index holds.
     */
    public void upsert(Prediction prediction) throws IOException {
        IndexMetadata of = EmbeddingDocuments.metadata(prediction);
        if (metadata == null) {
            metadata = of;
        } else {
            String why = metadata.mismatch(of);
            if (why != null) {
                throw new IllegalStateException(
                        "Cannot index request "
                                + prediction.getRequestId()
                                + " into "
                                + path
                                + ": "
                                + why
                                + ". Give another --index-dir (an index holds one model's"
                                + " embeddings).");
            }
        }
        writer.updateDocument(
                new Term(EmbeddingDocuments.ID, prediction.getRequestId()),
                EmbeddingDocuments.document(prediction));
    }

    /**
     * First phase: every document upserted so far goes into a pending commit tagged with {@code
     * checkpointId}. Returns false, doing nothing, when a prepared commit still waits for {@link
     * #commit} or there is nothing to commit.
     */
    public boolean prepareCommit(long checkpointId) throws IOException {
        if (prepared || !writer.hasUncommittedChanges() || metadata == null) {
            return false;
        }
        Map<String, String> data = new LinkedHashMap<>(metadata.toUserData());
        data.put(IndexMetadata.KEY_CHECKPOINT, Long.toString(checkpointId));
        writer.setLiveCommitData(data.entrySet());
        writer.prepareCommit();
        prepared = true;
        return true;
    }

    /** Whether a prepared commit waits for {@link #commit}. */
    public boolean prepared() {
        return prepared;
    }

    /** Second phase: publishes the prepared commit, if any. */
    public void commit() throws IOException {
        if (prepared) {
            writer.commit();
            prepared = false;
        }
    }

    /** Commits everything upserted so far (the end of a run without checkpoints). */
    public void commitAll(long tag) throws IOException {
        commit();
        if (prepareCommit(tag)) {
            commit();
        }
    }

    /** The metadata of the index, null while it is empty. */
    public IndexMetadata metadata() {
        return metadata;
    }

    /**
     * Closes the writer; what was not committed is dropped (the next writer deletes its files).
     *
     * <p>Flink interrupts a task it cancels. An interrupted thread that touches a {@code
     * FileChannel} closes it, and Lucene checks its write lock through one: the lock would be
     * invalidated and the rollback fail. So the interrupt flag is put aside while the writer
     * closes, and restored after. (An interrupt that reached a write before the close has
     * invalidated the lock already: the rollback then fails, and the next writer, opening the last
     * commit, deletes what this one left.)
     */
    @Override
    public void close() throws IOException {
        boolean interrupted = Thread.interrupted();
        try {
            writer.close();
        } finally {
            try {
                directory.close();
            } finally {
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }
}
