package io.inceptionpipeline.pipeline.archive;

import io.inceptionpipeline.schemas.Prediction;
import io.inceptionpipeline.schemas.ScoringFailure;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.file.DataFileReader;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.specific.SpecificDatumReader;

/**
 * The output folder of archive runs: {@code predictions/} and {@code dead-letters/}, each holding
 * Avro container files {@code part-<run>-*.avro}. A part file gets its name only once the
 * checkpoint that closed it completed ({@link ArchiveSink}); until then it is a hidden {@code
 * .part-...avro.inprogress...} file. So a complete part file holds only answers the run's
 * checkpoints account for, and what a killed run left in progress is either committed by the run
 * that restores its checkpoint or removed by a fresh run, whose ids it then scores again.
 *
 * <p>Resuming is by request id, not by position: a run skips every id found in a complete part
 * file, prediction or dead letter.
 */
public final class ArchiveOutput {

    public static final String PREDICTIONS = "predictions";
    public static final String DEAD_LETTERS = "dead-letters";
    static final String IN_PROGRESS = ".inprogress";

    private final Path dir;

    public ArchiveOutput(Path dir) {
        this.dir = dir;
    }

    public Path predictions() {
        return dir.resolve(PREDICTIONS);
    }

    public Path deadLetters() {
        return dir.resolve(DEAD_LETTERS);
    }

    /** Creates the folders and removes the in-progress files a failed run left; returns them. */
    public List<Path> prepare() throws IOException {
        return prepare(false);
    }

    /**
     * Creates the folders and removes the in-progress files a failed run left, except, when {@code
     * restoring} from that run's checkpoint, the file sink's ({@code .inprogress.<uuid>}): the
     * checkpoint may name them as pending commits. Returns the files removed.
     */
    public List<Path> prepare(boolean restoring) throws IOException {
        List<Path> removed = new ArrayList<>();
        for (Path folder : List.of(predictions(), deadLetters())) {
            Files.createDirectories(folder);
            try (Stream<Path> files = Files.list(folder)) {
                for (Path file : files.toList()) {
                    String name = file.getFileName().toString();
                    boolean fileSinks =
                            name.startsWith(".part-") && name.contains(IN_PROGRESS + ".");
                    if (name.endsWith(IN_PROGRESS) || (fileSinks && !restoring)) {
                        Files.delete(file);
                        removed.add(file);
                    }
                }
            }
        }
        return removed;
    }

    /** Complete part files of predictions. */
    public List<Path> predictionFiles() throws IOException {
        return partFiles(predictions());
    }

    /** Complete part files of dead letters. */
    public List<Path> deadLetterFiles() throws IOException {
        return partFiles(deadLetters());
    }

    /** Every prediction in the complete part files. */
    public List<Prediction> readPredictions() throws IOException {
        return read(predictionFiles(), Prediction.class);
    }

    /** Every dead letter in the complete part files. */
    public List<ScoringFailure> readDeadLetters() throws IOException {
        return read(deadLetterFiles(), ScoringFailure.class);
    }

    /**
     * Ids already answered: predictions' request ids and dead letters' (else their key), read one
     * record at a time and only those fields, into a set of 16 heap bytes an id. The caller closes
     * it.
     */
    public AnsweredIds answeredIds() throws IOException {
        try (AnsweredIds.Builder ids = AnsweredIds.builder()) {
            forEach(predictionFiles(), PREDICTION_ID, p -> ids.add(p.get("request_id").toString()));
            forEach(
                    deadLetterFiles(),
                    DEAD_LETTER_ID,
                    f -> {
                        String id = idOf(f.get("request_id"), f.get("original_key"));
                        if (id != null) {
                            ids.add(id);
                        }
                    });
            return ids.build();
        }
    }

    /** The fields of a prediction that name its id: Avro skips the others while reading. */
    private static final Schema PREDICTION_ID =
            projection(Prediction.getClassSchema(), "request_id");

    /** The fields of a dead letter that name its id. */
    private static final Schema DEAD_LETTER_ID =
            projection(ScoringFailure.getClassSchema(), "request_id", "original_key");

    private static Schema projection(Schema full, String... fields) {
        List<Schema.Field> kept = new ArrayList<>();
        for (String name : fields) {
            Schema.Field field = full.getField(name);
            kept.add(new Schema.Field(field, field.schema()));
        }
        return Schema.createRecord(full.getName(), null, full.getNamespace(), false, kept);
    }

    private interface RecordAction {
        void accept(GenericRecord record) throws IOException;
    }

    /** Reads {@code files} as {@code schema}, one record at a time (one record object reused). */
    private static void forEach(List<Path> files, Schema schema, RecordAction action)
            throws IOException {
        for (Path file : files) {
            try (DataFileReader<GenericRecord> reader =
                    new DataFileReader<>(file.toFile(), new GenericDatumReader<>(null, schema))) {
                GenericRecord record = null;
                while (reader.hasNext()) {
                    record = reader.next(record);
                    action.accept(record);
                }
            }
        }
    }

    /** A dead letter's request id, else its original key (the id of an unreadable line). */
    public static String idOf(ScoringFailure failure) {
        return idOf(failure.getRequestId(), failure.getOriginalKey());
    }

    private static String idOf(Object requestId, Object originalKey) {
        if (requestId != null) {
            return requestId.toString();
        }
        if (originalKey instanceof ByteBuffer key) {
            return StandardCharsets.UTF_8.decode(key.duplicate()).toString();
        }
        return null;
    }

    private static List<Path> partFiles(Path folder) throws IOException {
        if (!Files.isDirectory(folder)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(folder)) {
            return files.filter(
                            f -> {
                                String name = f.getFileName().toString();
                                return name.startsWith("part-") && name.endsWith(".avro");
                            })
                    .sorted()
                    .toList();
        }
    }

    private static <T> List<T> read(List<Path> files, Class<T> type) throws IOException {
        List<T> records = new ArrayList<>();
        for (Path file : files) {
            try (DataFileReader<T> reader =
                    new DataFileReader<>(file.toFile(), new SpecificDatumReader<>(type))) {
                while (reader.hasNext()) {
                    records.add(reader.next());
                }
            }
        }
        return records;
    }
}
