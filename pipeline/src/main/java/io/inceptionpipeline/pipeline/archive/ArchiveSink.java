package io.inceptionpipeline.pipeline.archive;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/**
 * The sink of an archive run: each subtask writes an Avro container file into {@code folder} as
 * {@code .part-<run>-<subtask>.avro.inprogress} and renames it to {@code part-<run>-<subtask>.avro}
 * at the end of its input (see {@link ArchiveOutput}); with {@code kafka}, every record also goes
 * to that sink (at-least-once: batch runs take no checkpoints). Counts each record for the progress
 * bar.
 *
 * @param <T> a generated Avro record
 */
public final class ArchiveSink<T extends SpecificRecord> implements Sink<T> {

    private final String folder; // null: no files
    private final Class<T> type;
    private final String run;
    private final Sink<T> kafka; // null: no Kafka

    public ArchiveSink(Path folder, Class<T> type, String run, Sink<T> kafka) {
        if (folder == null && kafka == null) {
            throw new IllegalArgumentException("An archive sink needs a folder, Kafka or both");
        }
        this.folder = folder == null ? null : folder.toString();
        this.type = type;
        this.run = run;
        this.kafka = kafka;
    }

    @Override
    public SinkWriter<T> createWriter(WriterInitContext context) throws IOException {
        String name = "part-" + run + "-" + context.getTaskInfo().getIndexOfThisSubtask() + ".avro";
        return new Writer<>(
                folder == null ? null : Path.of(folder),
                name,
                type,
                run,
                kafka == null ? null : kafka.createWriter(context));
    }

    private static final class Writer<T extends SpecificRecord> implements SinkWriter<T> {
        private final Path folder;
        private final String name;
        private final Class<T> type;
        private final String run;
        private final SinkWriter<T> kafka;
        private DataFileWriter<T> file;
        private Path inProgress;
        private boolean finished;

        Writer(Path folder, String name, Class<T> type, String run, SinkWriter<T> kafka) {
            this.folder = folder;
            this.name = name;
            this.type = type;
            this.run = run;
            this.kafka = kafka;
        }

        @Override
        public void write(T record, Context context) throws IOException, InterruptedException {
            if (folder != null) {
                if (file == null) {
                    open();
                }
                file.append(record);
            }
            if (kafka != null) {
                kafka.write(record, context);
            }
            ArchiveProgress.answered(run);
        }

        private void open() throws IOException {
            inProgress = folder.resolve("." + name + ArchiveOutput.IN_PROGRESS);
            file = new DataFileWriter<>(new SpecificDatumWriter<>(type));
            file.create(SpecificData.get().getSchema(type), inProgress.toFile());
        }

        @Override
        public void flush(boolean endOfInput) throws IOException, InterruptedException {
            if (kafka != null) {
                kafka.flush(endOfInput);
            }
            if (file != null) {
                file.flush();
                if (endOfInput && !finished) {
                    file.close();
                    Files.move(inProgress, folder.resolve(name), StandardCopyOption.ATOMIC_MOVE);
                    finished = true;
                }
            }
        }

        @Override
        public void close() throws Exception {
            try {
                if (kafka != null) {
                    kafka.close();
                }
            } finally {
                if (file != null && !finished) {
                    file.close(); // the run failed: its part file must not count as complete
                    Files.deleteIfExists(inProgress);
                }
            }
        }
    }
}
