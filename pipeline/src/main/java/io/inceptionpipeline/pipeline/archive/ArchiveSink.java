package io.inceptionpipeline.pipeline.archive;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.connector.file.sink.FileSink;
import org.apache.flink.formats.avro.AvroWriters;
import org.apache.flink.streaming.api.functions.sink.filesystem.OutputFileConfig;
import org.apache.flink.streaming.api.functions.sink.filesystem.bucketassigners.BasePathBucketAssigner;
import org.apache.flink.streaming.api.functions.sink.filesystem.rollingpolicies.OnCheckpointRollingPolicy;

/**
 * The sink of an archive run, one per output kind (predictions, dead letters): its records go to
 * Avro container files in {@code folder} and/or to {@code kafka}, both committed at the same
 * checkpoints ({@link TeeSink}), and are counted for the progress bar.
 *
 * <p>Files: Flink's {@link FileSink} with Avro's bulk writer, rolled at every checkpoint. A subtask
 * writes a hidden {@code .part-<run>-<uuid>-<n>.avro.inprogress.<uuid>} and the committer renames
 * it to {@code part-<run>-<uuid>-<n>.avro} once the checkpoint that closed it completed (see {@link
 * ArchiveOutput}), so a complete part file holds only answers whose input position a completed
 * checkpoint accounts for. Kafka: the given sink (transactional with exactly-once).
 *
 * @param <T> a generated Avro record
 */
public final class ArchiveSink<T extends SpecificRecordBase> extends TeeSink<T> {

    private final String run;

    public ArchiveSink(Path folder, Class<T> type, String run, Sink<T> kafka) {
        super(parts(folder, type, run, kafka));
        this.run = run;
    }

    private static <T extends SpecificRecordBase> List<Sink<T>> parts(
            Path folder, Class<T> type, String run, Sink<T> kafka) {
        if (folder == null && kafka == null) {
            throw new IllegalArgumentException("An archive sink needs a folder, Kafka or both");
        }
        List<Sink<T>> parts = new ArrayList<>();
        if (folder != null) {
            parts.add(files(folder, type, run));
        }
        if (kafka != null) {
            parts.add(kafka);
        }
        return parts;
    }

    /** Avro part files {@code part-<run>-*.avro} directly in {@code folder}, one per checkpoint. */
    static <T extends SpecificRecordBase> FileSink<T> files(
            Path folder, Class<T> type, String run) {
        return FileSink.forBulkFormat(
                        new org.apache.flink.core.fs.Path(folder.toAbsolutePath().toUri()),
                        AvroWriters.forSpecificRecord(type))
                .withBucketAssigner(new BasePathBucketAssigner<>())
                .withRollingPolicy(OnCheckpointRollingPolicy.build())
                .withOutputFileConfig(
                        OutputFileConfig.builder()
                                .withPartPrefix("part-" + run)
                                .withPartSuffix(".avro")
                                .build())
                .build();
    }

    @Override
    void written(T record) {
        ArchiveProgress.answered(run);
    }
}
