package io.inceptionpipeline.pipeline.archive;

import io.inceptionpipeline.operators.fetch.S3Access;
import io.inceptionpipeline.operators.records.RawMessage;
import java.nio.file.Path;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Every object under an S3 prefix, listed page by page as the job runs ({@link S3PrefixSource}):
 * the job graph holds the prefix, not its keys, and a restored run lists on from its checkpoint.
 * Ids answered in the output folder are left out as each page is listed. Its size is not known
 * before the run: the progress bar's totals grow as pages are listed.
 */
public record S3PrefixInput(S3Input prefix, S3Access access, int pageSize) implements ArchiveInput {

    /**
     * Keys per listing page in new inputs: S3's maximum, unless a test sets fewer (to list a small
     * prefix in many pages).
     */
    static int defaultPageSize = S3Listing.MAX_PAGE_SIZE;

    /**
     * Keys a reader gets per split request: a request is a round trip to the JobManager, a key a
     * fetch, so a few hundred keep the requests rare and a reader's checkpointed keys few.
     */
    static final int KEYS_PER_SPLIT = 200;

    public S3PrefixInput(S3Input prefix, S3Access access) {
        this(prefix, access, defaultPageSize);
    }

    @Override
    public String sourceName() {
        return prefix.uri();
    }

    @Override
    public DataStream<RawMessage> requests(
            StreamExecutionEnvironment env, Path outputDir, String run, int parallelism) {
        S3PrefixSource source =
                new S3PrefixSource(
                        prefix,
                        access,
                        outputDir == null ? null : outputDir.toString(),
                        run,
                        pageSize,
                        KEYS_PER_SPLIT);
        // One reader: emitting a listed key is far cheaper than fetching it.
        return env.fromSource(source, WatermarkStrategy.noWatermarks(), "archive-s3-prefix")
                .uid("archive-s3-prefix")
                .setParallelism(1);
    }

    /** Lists the whole prefix again, page by page, counting the keys without an answer. */
    @Override
    public long unanswered(AnsweredIds answered) {
        long count = 0;
        try (S3Listing listing =
                new S3Listing(S3Input.client(access), prefix.bucket(), prefix.key(), pageSize)) {
            String token = null;
            do {
                S3Listing.Page page = listing.page(token);
                for (String key : page.keys()) {
                    if (!answered.contains(S3Listing.uri(prefix.bucket(), key))) {
                        count++;
                    }
                }
                token = page.nextToken();
            } while (token != null);
        }
        return count;
    }
}
