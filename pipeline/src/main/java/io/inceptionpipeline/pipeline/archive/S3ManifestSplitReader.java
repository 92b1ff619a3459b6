package io.inceptionpipeline.pipeline.archive;

import java.io.IOException;
import java.util.ArrayDeque;
import org.apache.flink.connector.base.source.reader.RecordsBySplits;
import org.apache.flink.connector.base.source.reader.RecordsWithSplitIds;
import org.apache.flink.connector.base.source.reader.splitreader.SplitReader;
import org.apache.flink.connector.base.source.reader.splitreader.SplitsChange;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Reads a manifest object's lines on the source's fetcher thread, a batch per fetch: one streaming
 * GET per split, ranged from the split's offset when a restored split was partly read.
 */
final class S3ManifestSplitReader
        implements SplitReader<S3ManifestSplitReader.Line, S3ManifestSplit> {

    /** A numbered line and the offset where the next one starts. */
    record Line(ManifestLine line, long nextOffset) {}

    /** Lines handed over per fetch: one hand-over between threads per batch, not per line. */
    static final int LINES_PER_FETCH = 1000;

    private final S3Client s3;
    private final ArrayDeque<S3ManifestSplit> splits = new ArrayDeque<>();
    private S3ManifestSplit current;
    private ManifestLineReader lines; // null: the current split has nothing left to read
    private long lineNumber;

    S3ManifestSplitReader(S3Client s3) {
        this.s3 = s3;
    }

    @Override
    public RecordsWithSplitIds<Line> fetch() throws IOException {
        RecordsBySplits.Builder<Line> batch = new RecordsBySplits.Builder<>();
        if (current == null) {
            current = splits.poll();
            if (current == null) {
                return batch.build();
            }
            lines = open(current);
            lineNumber = current.linesRead();
        }
        String id = current.splitId();
        for (int i = 0; i < LINES_PER_FETCH; i++) {
            String text = lines == null ? null : lines.readLine();
            if (text == null) {
                closeCurrent();
                batch.addFinishedSplit(id);
                break;
            }
            batch.add(id, new Line(new ManifestLine(++lineNumber, text), lines.offset()));
        }
        return batch.build();
    }

    /** The object's lines from the split's offset; null when the offset is the object's end. */
    ManifestLineReader open(S3ManifestSplit split) throws IOException {
        GetObjectRequest.Builder request =
                GetObjectRequest.builder().bucket(split.bucket()).key(split.key());
        if (split.offset() > 0) {
            request.range("bytes=" + split.offset() + "-");
        }
        try {
            return new ManifestLineReader(s3.getObject(request.build()), split.offset());
        } catch (NoSuchKeyException e) {
            throw new IOException("No manifest object " + split.splitId(), e);
        } catch (S3Exception e) {
            if (e.statusCode() == 416 && split.offset() > 0) {
                return atEnd(split);
            }
            throw new IOException(
                    "Cannot read manifest " + split.splitId() + ": HTTP " + e.statusCode(), e);
        } catch (SdkException e) {
            throw new IOException("Cannot read manifest " + split.splitId(), e);
        }
    }

    /**
     * A range past the end (HTTP 416): fine when the checkpoint was taken after the last line
     * (nothing left), a replaced object otherwise.
     */
    private ManifestLineReader atEnd(S3ManifestSplit split) throws IOException {
        long size;
        try {
            size = s3.headObject(b -> b.bucket(split.bucket()).key(split.key())).contentLength();
        } catch (SdkException e) {
            throw new IOException("Cannot read manifest " + split.splitId(), e);
        }
        if (size == split.offset()) {
            return null;
        }
        throw new IOException(
                "Manifest "
                        + split.splitId()
                        + " has "
                        + size
                        + " bytes, fewer than the "
                        + split.offset()
                        + " its checkpoint had read: the object was replaced; remove the"
                        + " checkpoint folder to start over (answered ids are still skipped)");
    }

    private void closeCurrent() throws IOException {
        if (lines != null) {
            lines.close();
        }
        lines = null;
        current = null;
    }

    @Override
    public void handleSplitsChanges(SplitsChange<S3ManifestSplit> change) {
        splits.addAll(change.splits());
    }

    @Override
    public void wakeUp() {
        // fetch() blocks only on a read, which the SDK's socket timeout bounds.
    }

    @Override
    public void close() throws Exception {
        try {
            closeCurrent();
        } finally {
            s3.close();
        }
    }
}
