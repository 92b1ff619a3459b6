package io.inceptionpipeline.operators.fetch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.inceptionpipeline.schemas.ErrorCode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13, item 5: the file read is judged as opened, not by its name, so a FIFO or a symbolic
 * link swapped in after the policy's check neither blocks a reader nor leads out of the roots. The
 * reader is called directly with such paths: that is exactly what it sees when the swap happens
 * between the check and the open.
 */
class RegularFileReaderTest {

    @TempDir Path dir;

    private static ErrorCode code(Runnable read) {
        try {
            read.run();
            throw new AssertionError("expected a refusal");
        } catch (FetchException e) {
            return e.code();
        }
    }

    private Path fifo(String name) throws Exception {
        Path fifo = dir.resolve(name);
        Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).start();
        assertThat(mkfifo.waitFor()).isZero();
        return fifo;
    }

    @Test
    void judgesTheOpenedFileOnLinux() {
        if (System.getProperty("os.name").toLowerCase().contains("linux")) {
            assertThat(RegularFileReader.judgesTheOpenedFile()).isTrue();
        }
    }

    @Test
    void aFifoIsRefusedWithoutBlockingTheReader() throws Exception {
        Path fifo = fifo("swapped.jpg");
        // a blocking open would wait here for a writer that never comes
        assertTimeoutPreemptively(
                Duration.ofSeconds(10),
                () ->
                        assertThat(code(() -> RegularFileReader.read(fifo, 1000, p -> true)))
                                .isEqualTo(ErrorCode.NOT_REGULAR_FILE));
    }

    @Test
    void aSymbolicLinkIsNotFollowed() throws Exception {
        Path outside = Files.writeString(dir.resolve("secret.txt"), "secret");
        Path link = Files.createSymbolicLink(dir.resolve("swapped.jpg"), outside);
        assertThat(code(() -> RegularFileReader.read(link, 1000, p -> true)))
                .isEqualTo(ErrorCode.PATH_NOT_ALLOWED);
    }

    @Test
    void readsARegularFileAndChecksWhereItLies() throws Exception {
        Path image = Files.write(dir.resolve("a.jpg"), new byte[] {1, 2, 3});
        assertThat(RegularFileReader.read(image, 1000, p -> true)).containsExactly(1, 2, 3);
        assertThat(code(() -> RegularFileReader.read(image, 2, p -> true)))
                .isEqualTo(ErrorCode.TOO_LARGE);
        assertThat(code(() -> RegularFileReader.read(dir, 1000, p -> true)))
                .isEqualTo(ErrorCode.NOT_REGULAR_FILE);
        if (RegularFileReader.judgesTheOpenedFile()) {
            assertThat(code(() -> RegularFileReader.read(image, 1000, p -> false)))
                    .isEqualTo(ErrorCode.PATH_NOT_ALLOWED);
        }
    }

    @Test
    void theFetcherAnswersAFifoAndADirectoryPromptly() throws Exception {
        Path fifo = fifo("pipe.jpg");
        Path sub = Files.createDirectories(dir.resolve("sub.jpg"));
        try (ImageFetcher fetcher =
                new ImageFetcher(
                        FetchConfig.defaults().withAllowedRoots(List.of(dir.toString())))) {
            for (Path p : List.of(fifo, sub)) {
                try {
                    fetcher.fetch(p.toUri().toString()).get(10, TimeUnit.SECONDS);
                    throw new AssertionError("expected " + p + " to fail");
                } catch (java.util.concurrent.ExecutionException e) {
                    assertThat(FetchException.of(e).code()).isEqualTo(ErrorCode.NOT_REGULAR_FILE);
                }
            }
        }
    }
}
