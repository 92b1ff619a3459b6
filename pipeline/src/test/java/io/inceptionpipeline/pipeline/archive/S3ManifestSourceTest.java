package io.inceptionpipeline.pipeline.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.inceptionpipeline.pipeline.S3TestServer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.connector.base.source.reader.RecordsWithSplitIds;
import org.apache.flink.connector.base.source.reader.splitreader.SplitsAddition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A manifest object's lines with their byte offsets and numbers, read from a real S3 API (s3proxy):
 * whole, and resumed from a checkpointed offset with a ranged GET.
 */
class S3ManifestSourceTest {

    /** Every kind of line end, a multi-byte character, no newline at the end. */
    static final String TEXT = "id,uri\r\nä,s3://b/ä.png\n\n# comment\rb,s3://b/b.png\r\nlast";

    static final List<String> LINES =
            List.of("id,uri", "ä,s3://b/ä.png", "", "# comment", "b,s3://b/b.png", "last");

    @TempDir static Path work;
    static S3TestServer s3;

    @BeforeAll
    static void start() throws Exception {
        s3 = S3TestServer.start(Files.createDirectories(work.resolve("s3")));
        s3.createBucket("manifests");
        s3.put("manifests", "m/batch-7.csv", TEXT.getBytes(StandardCharsets.UTF_8));
    }

    @AfterAll
    static void stop() throws Exception {
        s3.close();
    }

    /** The lines as BufferedReader splits them, and the offset after each. */
    @Test
    void linesEndAsBufferedReaderEndsThemAndOffsetsPointAtTheNextLine() throws IOException {
        byte[] bytes = TEXT.getBytes(StandardCharsets.UTF_8);
        List<String> lines = new ArrayList<>();
        List<Long> offsets = new ArrayList<>();
        try (ManifestLineReader reader =
                new ManifestLineReader(new ByteArrayInputStream(bytes), 0)) {
            String line;
            while ((line = reader.readLine()) != null) {
                lines.add(line);
                offsets.add(reader.offset());
            }
        }
        assertThat(lines).containsExactlyElementsOf(LINES);
        assertThat(TEXT.lines().toList()).containsExactlyElementsOf(LINES);
        assertThat(offsets).containsExactly(8L, 25L, 26L, 36L, 52L, (long) bytes.length);
        // Each offset starts the next line: reading from there gives the rest.
        for (int i = 0; i < offsets.size(); i++) {
            int from = offsets.get(i).intValue();
            try (ManifestLineReader rest =
                    new ManifestLineReader(
                            new ByteArrayInputStream(bytes, from, bytes.length - from), from)) {
                assertThat(rest.readLine())
                        .isEqualTo(i + 1 < LINES.size() ? LINES.get(i + 1) : null);
            }
        }
    }

    /** Reads the split to its end through the split reader, returning the lines it emitted. */
    static List<S3ManifestSplitReader.Line> readAll(S3ManifestSplit split) throws Exception {
        List<S3ManifestSplitReader.Line> lines = new ArrayList<>();
        try (S3ManifestSplitReader reader = new S3ManifestSplitReader(s3.client())) {
            reader.handleSplitsChanges(new SplitsAddition<>(List.of(split)));
            while (true) {
                RecordsWithSplitIds<S3ManifestSplitReader.Line> batch = reader.fetch();
                String id;
                while ((id = batch.nextSplit()) != null) {
                    assertThat(id).isEqualTo("s3://manifests/m/batch-7.csv");
                    S3ManifestSplitReader.Line line;
                    while ((line = batch.nextRecordFromSplit()) != null) {
                        lines.add(line);
                    }
                }
                if (!batch.finishedSplits().isEmpty()) {
                    return lines;
                }
            }
        }
    }

    @Test
    void readsTheObjectAndResumesFromACheckpointedOffsetWithARangedGet() throws Exception {
        List<S3ManifestSplitReader.Line> whole =
                readAll(new S3ManifestSplit("manifests", "m/batch-7.csv", 0, 0));
        assertThat(whole).extracting(l -> l.line().text).containsExactlyElementsOf(LINES);
        assertThat(whole).extracting(l -> l.line().number).containsExactly(1L, 2L, 3L, 4L, 5L, 6L);

        // Restored after line 2: line 3 on, numbered from 3.
        S3ManifestSplitReader.Line second = whole.get(1);
        List<S3ManifestSplitReader.Line> rest =
                readAll(new S3ManifestSplit("manifests", "m/batch-7.csv", second.nextOffset(), 2));
        assertThat(rest)
                .extracting(l -> l.line().text)
                .containsExactlyElementsOf(LINES.subList(2, 6));
        assertThat(rest).extracting(l -> l.line().number).containsExactly(3L, 4L, 5L, 6L);
        assertThat(rest)
                .extracting(S3ManifestSplitReader.Line::nextOffset)
                .containsExactlyElementsOf(
                        whole.subList(2, 6).stream()
                                .map(S3ManifestSplitReader.Line::nextOffset)
                                .toList());

        // Restored after the last line: nothing left, no error.
        long size = TEXT.getBytes(StandardCharsets.UTF_8).length;
        assertThat(readAll(new S3ManifestSplit("manifests", "m/batch-7.csv", size, 6))).isEmpty();
    }

    @Test
    void aCheckpointPastTheObjectsEndSaysTheObjectWasReplaced() {
        long size = TEXT.getBytes(StandardCharsets.UTF_8).length;
        assertThatThrownBy(
                        () ->
                                readAll(
                                        new S3ManifestSplit(
                                                "manifests", "m/batch-7.csv", size + 10, 9)))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("the object was replaced");
        assertThatThrownBy(() -> readAll(new S3ManifestSplit("manifests", "m/gone.csv", 0, 0)))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("No manifest object s3://manifests/m/gone.csv");
    }

    @Test
    void anExistingObjectIsAManifestAndAnythingElseAPrefix() {
        var access = s3.access("manifests");
        assertThat(S3Input.parse("s3://manifests/m/batch-7.csv").isManifest(access)).isTrue();
        assertThat(S3Input.parse("s3://manifests/m/batch").isManifest(access)).isFalse();
        assertThat(S3Input.parse("s3://manifests/m/").isManifest(access)).isFalse();
        assertThat(S3Input.parse("s3://manifests").isManifest(access)).isFalse();
        S3Input.parse("s3://manifests/m/").checkListable(access);
        assertThatThrownBy(() -> S3Input.parse("s3://no-such-bucket/p/").checkListable(access))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("No such S3 bucket: no-such-bucket");
    }

    @Test
    void splitsAndEnumeratorStateSurviveTheirSerializers() throws Exception {
        S3ManifestSplit split = new S3ManifestSplit("b", "m/ä.csv", 1234, 56);
        S3ManifestSplit.Serializer serializer = S3ManifestSplit.Serializer.INSTANCE;
        assertThat(serializer.deserialize(1, serializer.serialize(split))).isEqualTo(split);
        S3ManifestSource.StateSerializer state = S3ManifestSource.StateSerializer.INSTANCE;
        assertThat(state.deserialize(1, state.serialize(List.of(split)))).containsExactly(split);
        assertThat(state.deserialize(1, state.serialize(List.of()))).isEmpty();
    }
}
