package io.inceptionpipeline.pipeline.archive;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Lines of a UTF-8 stream with the byte offset after each, so a reader can checkpoint where the
 * next line starts and resume there with a ranged read. Lines end as {@link
 * java.io.BufferedReader#readLine} (and so Flink's text line format and the CLI's scan) end them:
 * at {@code \n}, {@code \r\n} or a lone {@code \r}; the terminator is not part of the line.
 */
final class ManifestLineReader implements AutoCloseable {

    private final InputStream in;
    private final byte[] buffer = new byte[64 * 1024];
    private int position;
    private int limit;
    private long offset;
    private byte[] line = new byte[256];

    /** Reads {@code in}, whose first byte is at {@code offset} in the object. */
    ManifestLineReader(InputStream in, long offset) {
        this.in = in;
        this.offset = offset;
    }

    /** The next line, or null at the end of the stream. */
    String readLine() throws IOException {
        int length = 0;
        while (true) {
            if (position == limit && !fill()) {
                return length == 0 ? null : decode(length);
            }
            byte b = buffer[position++];
            offset++;
            if (b == '\n') {
                return decode(length);
            }
            if (b == '\r') {
                // \r\n is one terminator: look at the next byte before the line is handed out, so
                // the offset after it never points at a \n that would read as an empty line.
                if ((position < limit || fill()) && buffer[position] == '\n') {
                    position++;
                    offset++;
                }
                return decode(length);
            }
            if (length == line.length) {
                line = Arrays.copyOf(line, line.length * 2);
            }
            line[length++] = b;
        }
    }

    /** The offset in the object of the next byte to read: where the next line starts. */
    long offset() {
        return offset;
    }

    private boolean fill() throws IOException {
        int read = in.read(buffer, 0, buffer.length);
        while (read == 0) {
            read = in.read(buffer, 0, buffer.length);
        }
        if (read < 0) {
            return false;
        }
        position = 0;
        limit = read;
        return true;
    }

    private String decode(int length) {
        return new String(line, 0, length, StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
