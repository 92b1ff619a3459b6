package io.inceptionpipeline.pipeline.archive;

import java.io.IOException;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.reader.SimpleStreamFormat;
import org.apache.flink.connector.file.src.reader.StreamFormat;
import org.apache.flink.connector.file.src.reader.TextLineInputFormat;
import org.apache.flink.core.fs.FSDataInputStream;

/**
 * Flink's {@link TextLineInputFormat} with line numbers, which dead letters and the resume report
 * name. A manifest is one split (the format is not splittable), read from its start; on a restore
 * from a checkpoint the file source skips the lines already read by reading them through this
 * reader again, so the numbering stays right.
 */
public final class ManifestLineFormat extends SimpleStreamFormat<ManifestLine> {

    private final TextLineInputFormat lines = new TextLineInputFormat();

    @Override
    public Reader<ManifestLine> createReader(Configuration config, FSDataInputStream stream)
            throws IOException {
        StreamFormat.Reader<String> text = lines.createReader(config, stream);
        return new Reader<>() {
            private long number;

            @Override
            public ManifestLine read() throws IOException {
                String line = text.read();
                return line == null ? null : new ManifestLine(++number, line);
            }

            @Override
            public void close() throws IOException {
                text.close();
            }
        };
    }

    @Override
    public TypeInformation<ManifestLine> getProducedType() {
        return TypeInformation.of(ManifestLine.class);
    }
}
