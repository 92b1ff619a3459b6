package io.inceptionpipeline.pipeline.archive;

import io.inceptionpipeline.operators.fetch.S3Access;
import io.inceptionpipeline.operators.records.RawMessage;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A manifest stored as one S3 object, read line by line as the job runs ({@link S3ManifestSource}),
 * then parsed exactly as a manifest file ({@link ManifestInput#parsed}): same formats, line
 * numbers, dead letters and resume by id. A restored run resumes reading with a ranged GET from the
 * checkpointed byte offset.
 */
public record S3ManifestInput(S3Input object, S3Access access, boolean dropRepeats)
        implements ArchiveInput {

    @Override
    public String sourceName() {
        return object.uri();
    }

    @Override
    public DataStream<RawMessage> requests(
            StreamExecutionEnvironment env, Path outputDir, String run, int parallelism) {
        // One split per manifest: one reader, and parsing is far cheaper than fetching.
        DataStream<ManifestLine> lines =
                env.fromSource(
                                new S3ManifestSource(object, access),
                                WatermarkStrategy.noWatermarks(),
                                "archive-s3-manifest")
                        .uid("archive-s3-manifest")
                        .setParallelism(1);
        return ManifestInput.parsed(lines, sourceName(), outputDir, run, dropRepeats, parallelism);
    }

    /**
     * The CLI's pass over the manifest (the report line, the bar's totals, whether repeated ids
     * must be dropped): one streaming GET, no lines kept ({@link ArchiveManifest#scan}).
     */
    public static ArchiveManifest.Scan scan(S3Input object, S3Access access, AnsweredIds answered)
            throws IOException {
        try (S3Client s3 = S3Input.client(access);
                BufferedReader in =
                        new BufferedReader(
                                new InputStreamReader(
                                        s3.getObject(
                                                b -> b.bucket(object.bucket()).key(object.key())),
                                        StandardCharsets.UTF_8))) {
            return ArchiveManifest.scan(in, answered);
        } catch (SdkException e) {
            throw new IOException(
                    "Cannot read manifest " + object.uri() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public long unanswered(AnsweredIds answered) throws IOException {
        return scan(object, access, answered).toScore();
    }
}
