package io.inceptionpipeline.pipeline.archive;

import io.inceptionpipeline.operators.fetch.S3Access;
import java.util.Map;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.connector.base.source.reader.SingleThreadMultiplexSourceReaderBase;

/**
 * The reader of a manifest object: {@link S3ManifestSplitReader} reads lines on the fetcher thread;
 * each line emitted moves its split's checkpointed position (offset of the next line, lines read),
 * as Flink's file source does with its {@code CheckpointedPosition}.
 */
final class S3ManifestReader
        extends SingleThreadMultiplexSourceReaderBase<
                S3ManifestSplitReader.Line,
                ManifestLine,
                S3ManifestSplit,
                S3ManifestReader.Position> {

    /** A split being read: where its next line starts, and how many lines came before. */
    static final class Position {
        final String bucket;
        final String key;
        long offset;
        long linesRead;

        Position(S3ManifestSplit split) {
            this.bucket = split.bucket();
            this.key = split.key();
            this.offset = split.offset();
            this.linesRead = split.linesRead();
        }
    }

    S3ManifestReader(S3Access access, SourceReaderContext context) {
        super(
                () -> new S3ManifestSplitReader(S3Input.client(access)),
                (line, output, position) -> {
                    output.collect(line.line());
                    position.offset = line.nextOffset();
                    position.linesRead = line.line().number;
                },
                context.getConfiguration(),
                context);
    }

    @Override
    public void start() {
        if (getNumberOfCurrentlyAssignedSplits() == 0) {
            context.sendSplitRequest();
        }
    }

    @Override
    protected void onSplitFinished(Map<String, Position> finished) {
        context.sendSplitRequest();
    }

    @Override
    protected Position initializedState(S3ManifestSplit split) {
        return new Position(split);
    }

    @Override
    protected S3ManifestSplit toSplitType(String splitId, Position position) {
        return new S3ManifestSplit(
                position.bucket, position.key, position.offset, position.linesRead);
    }
}
