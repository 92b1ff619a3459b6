package io.inceptionpipeline.pipeline.archive;

import io.inceptionpipeline.operators.fetch.S3Access;
import io.inceptionpipeline.operators.records.RawMessage;
import java.io.IOException;
import java.nio.file.Path;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * A bounded FLIP-27 source of the objects under an S3 prefix, each a request whose id and URI are
 * its {@code s3://bucket/key}: {@link S3PrefixEnumerator} lists page by page as readers ask, {@link
 * S3KeysReader} emits the keys. The job graph holds the prefix, not its keys; memory and
 * checkpoints hold at most about two pages of keys whatever the prefix's size.
 *
 * @param outputDir the output folder whose answered ids are left out; null: none
 * @param run the run whose progress bar counts the listing
 */
record S3PrefixSource(
        S3Input prefix,
        S3Access access,
        String outputDir,
        String run,
        int pageSize,
        int keysPerSplit)
        implements Source<RawMessage, S3KeysSplit, S3PrefixEnumerator.State>,
                ResultTypeQueryable<RawMessage> {

    @Override
    public Boundedness getBoundedness() {
        return Boundedness.BOUNDED;
    }

    @Override
    public SourceReader<RawMessage, S3KeysSplit> createReader(SourceReaderContext context) {
        return new S3KeysReader(context, prefix.bucket(), prefix.uri(), run);
    }

    @Override
    public SplitEnumerator<S3KeysSplit, S3PrefixEnumerator.State> createEnumerator(
            SplitEnumeratorContext<S3KeysSplit> context) throws IOException {
        return restoreEnumerator(context, S3PrefixEnumerator.State.initial());
    }

    @Override
    public SplitEnumerator<S3KeysSplit, S3PrefixEnumerator.State> restoreEnumerator(
            SplitEnumeratorContext<S3KeysSplit> context, S3PrefixEnumerator.State state)
            throws IOException {
        AnsweredIds answered =
                outputDir == null
                        ? AnsweredIds.none()
                        : new ArchiveOutput(Path.of(outputDir)).answeredIds();
        return new S3PrefixEnumerator(
                context,
                new S3Listing(S3Input.client(access), prefix.bucket(), prefix.key(), pageSize),
                prefix.bucket(),
                answered,
                run,
                pageSize,
                keysPerSplit,
                state);
    }

    @Override
    public SimpleVersionedSerializer<S3KeysSplit> getSplitSerializer() {
        return S3KeysSplit.Serializer.INSTANCE;
    }

    @Override
    public SimpleVersionedSerializer<S3PrefixEnumerator.State> getEnumeratorCheckpointSerializer() {
        return S3PrefixEnumerator.StateSerializer.INSTANCE;
    }

    @Override
    public TypeInformation<RawMessage> getProducedType() {
        return TypeInformation.of(RawMessage.class);
    }
}
