package io.inceptionpipeline.pipeline.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ArchiveManifestTest {

    @TempDir Path dir;

    @Test
    void readsUrisPathsAndIdUriLines() throws Exception {
        Path manifest =
                Files.writeString(
                        dir.resolve("manifest.csv"),
                        String.join(
                                "\n",
                                "id,uri",
                                "# a comment",
                                "",
                                "cat-1,file:///data/cat,1.jpg",
                                "s3://bucket/dog.jpg",
                                "  https://example.com/a,b.jpg  ",
                                "relative/bird.png",
                                "no-uri,",
                                "cat-1,file:///data/other.jpg"));
        ArchiveManifest.Contents contents = ArchiveManifest.read(manifest);
        assertThat(contents.items())
                .extracting(ArchiveItem::id, ArchiveItem::uri, ArchiveItem::position)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("cat-1", "file:///data/cat,1.jpg", 4L),
                        org.assertj.core.groups.Tuple.tuple(
                                "s3://bucket/dog.jpg", "s3://bucket/dog.jpg", 5L),
                        org.assertj.core.groups.Tuple.tuple(
                                "https://example.com/a,b.jpg", "https://example.com/a,b.jpg", 6L),
                        org.assertj.core.groups.Tuple.tuple(
                                "relative/bird.png",
                                Path.of("relative/bird.png").toAbsolutePath().toUri().toString(),
                                7L),
                        org.assertj.core.groups.Tuple.tuple("no-uri", "", 8L));
        assertThat(contents.duplicates()).isEqualTo(1);
    }

    @Test
    void scanCountsLinesIdsRepeatsAndAnsweredWithoutKeepingItems() throws Exception {
        Path manifest =
                Files.writeString(
                        dir.resolve("scan.csv"),
                        String.join(
                                "\n",
                                "id,uri",
                                "a,file:///x/a.png",
                                "b,file:///x/b.png",
                                "# comment",
                                "a,file:///x/other.png",
                                "c,file:///x/c.png",
                                "c,file:///x/c.png"));
        ArchiveManifest.Scan scan;
        try (AnsweredIds answered = AnsweredIds.of(java.util.List.of("b", "z"))) {
            scan = ArchiveManifest.scan(manifest, answered);
        }
        assertThat(scan).isEqualTo(new ArchiveManifest.Scan(7, 3, 2, 1));
        assertThat(scan.toScore()).isEqualTo(2);
        // Answered ids the manifest repeats count once each.
        try (AnsweredIds answered = AnsweredIds.of(java.util.List.of("a", "c"))) {
            assertThat(ArchiveManifest.scan(manifest, answered))
                    .isEqualTo(new ArchiveManifest.Scan(7, 3, 2, 2));
        }
        assertThat(ArchiveManifest.fingerprint("a")).isNotEqualTo(ArchiveManifest.fingerprint("b"));
    }

    @Test
    void manifestLineFormatNumbersLinesFromOne() throws Exception {
        Path manifest = Files.writeString(dir.resolve("lines.txt"), "first\n\nthird\n");
        org.apache.flink.core.fs.Path path = new org.apache.flink.core.fs.Path(manifest.toUri());
        try (org.apache.flink.core.fs.FSDataInputStream in = path.getFileSystem().open(path)) {
            var reader =
                    new ManifestLineFormat()
                            .createReader(new org.apache.flink.configuration.Configuration(), in);
            java.util.List<String> read = new java.util.ArrayList<>();
            for (ManifestLine line = reader.read(); line != null; line = reader.read()) {
                read.add(line.number + ":" + line.text);
            }
            assertThat(read).containsExactly("1:first", "2:", "3:third");
        }
    }

    @Test
    void teeSerializerKeepsPartVersionAndBytes() throws Exception {
        TeeSink.TaggedSerializer serializer = new TeeSink.TaggedSerializer();
        TeeSink.Tagged tagged = new TeeSink.Tagged(1, 7, new byte[] {3, 1, 4});
        TeeSink.Tagged back = serializer.deserialize(1, serializer.serialize(tagged));
        assertThat(back.part()).isEqualTo(1);
        assertThat(back.version()).isEqualTo(7);
        assertThat(back.bytes()).containsExactly(3, 1, 4);
    }

    @Test
    void aHeaderIsOnlySkippedOnTheFirstLine() {
        assertThat(ArchiveManifest.parse("id,uri", 1)).isNull();
        assertThat(ArchiveManifest.parse("id,uri", 2))
                .isEqualTo(
                        new ArchiveItem(
                                "id", Path.of("uri").toAbsolutePath().toUri().toString(), 2));
    }

    @Test
    void s3ListingUrisEncodeKeys() {
        assertThat(S3Listing.uri("b", "a dir/x+y.jpg")).isEqualTo("s3://b/a%20dir/x+y.jpg");
        assertThat(S3Input.parse("s3://my-bucket/prefix/").bucket()).isEqualTo("my-bucket");
    }

    @Test
    void s3InputsThatNamePrefixesByTheirForm() {
        assertThat(S3Input.parse("s3://b")).isEqualTo(new S3Input("b", ""));
        assertThat(S3Input.parse("s3://b/").prefixByForm()).isTrue();
        assertThat(S3Input.parse("s3://b/images/").prefixByForm()).isTrue();
        assertThat(S3Input.parse("s3://b/manifests/batch-7.csv"))
                .isEqualTo(new S3Input("b", "manifests/batch-7.csv"))
                .satisfies(input -> assertThat(input.prefixByForm()).isFalse());
        assertThat(S3Input.parse("s3://b/a%20dir/m.csv").key()).isEqualTo("a dir/m.csv");
        assertThat(S3Input.parse("s3://b/a%20dir/m.csv").uri()).isEqualTo("s3://b/a%20dir/m.csv");
        assertThatThrownBy(() -> S3Input.parse("file:///tmp/x"))
                .hasMessageContaining("Not an s3://bucket/prefix");
        assertThatThrownBy(() -> S3Input.parse("s3:///key"))
                .hasMessageContaining("Not an s3://bucket/prefix");
    }

    @Test
    void progressTotalsGrowWithAListingAndEndInPlusUntilItIsComplete() {
        ArchiveProgress progress = new ArchiveProgress("listing-run", 0, 0);
        try {
            ArchiveProgress.listed("listing-run", 7, 5, false);
            ArchiveProgress.read("listing-run", 2);
            assertThat(progress.line()).contains("] 0/5+ ", ", 2/7+ lines read");
            ArchiveProgress.listed("listing-run", 10, 8, true);
            ArchiveProgress.answered("listing-run");
            assertThat(progress.total()).isEqualTo(8);
            assertThat(progress.lines()).isEqualTo(10);
            assertThat(progress.line()).contains("] 1/8  13% ", ", 2/10 lines read");
        } finally {
            progress.close();
        }
        ArchiveProgress.listed("listing-run", 1, 1, false); // a closed run keeps nothing
        ArchiveProgress again = new ArchiveProgress("listing-run", 0, 0);
        assertThat(again.total()).isZero();
        again.close();
    }

    @Test
    void progressLineShowsDoneTotalRateAndEta() {
        ArchiveProgress progress = new ArchiveProgress("test-run", 10, 12);
        try {
            for (int i = 0; i < 4; i++) {
                ArchiveProgress.answered("test-run");
            }
            assertThat(progress.done()).isEqualTo(4);
            assertThat(progress.line())
                    .matches("\\[#{12}\\.{18}\\] 4/10  40% [0-9.]+ img/s ETA [0-9:-]+ elapsed .*");
        } finally {
            progress.close();
        }
        assertThat(ArchiveProgress.duration(3725)).isEqualTo("1:02:05");
        assertThat(ArchiveProgress.duration(65)).isEqualTo("01:05");
    }
}
