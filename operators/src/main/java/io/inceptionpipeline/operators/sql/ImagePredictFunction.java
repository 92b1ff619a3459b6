package io.inceptionpipeline.operators.sql;

import io.inceptionpipeline.models.image.RgbImage;
import io.inceptionpipeline.operators.batch.BatchScorer;
import io.inceptionpipeline.operators.decode.DecodeCropFunction;
import io.inceptionpipeline.operators.decode.DecodeException;
import io.inceptionpipeline.operators.decode.ImagePreparer;
import io.inceptionpipeline.operators.deserialize.RequestReader;
import io.inceptionpipeline.operators.fetch.FetchException;
import io.inceptionpipeline.operators.fetch.ImageFetcher;
import io.inceptionpipeline.operators.records.CroppedImage;
import io.inceptionpipeline.operators.records.ImageRequest;
import io.inceptionpipeline.operators.records.RawMessage;
import io.inceptionpipeline.schemas.AvroCodec;
import io.inceptionpipeline.schemas.ErrorCode;
import io.inceptionpipeline.schemas.Prediction;
import io.inceptionpipeline.schemas.Stage;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.imageio.ImageIO;
import org.apache.flink.table.api.TableException;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.functions.AsyncPredictFunction;
import org.apache.flink.table.functions.FunctionContext;

/**
 * {@code ML_PREDICT} with an {@code inception} model: the input column (a URI as {@code STRING}, or
 * a request's Kafka value as {@code BYTES}: an Avro single-object {@code ScoringRequest} or a
 * plain-text URI) is read by the job's {@link RequestReader}, fetched by its {@link ImageFetcher}
 * (same URI policy and limits), decoded and cropped by its {@link ImagePreparer} on {@code
 * decodeThreads} threads, and scored in batches of concurrent rows ({@link MicroBatcher}: up to
 * {@code batchSize} rows or {@code maxBatchDelayMs}) on one model per function instance, opened by
 * the job's {@link BatchScorer.Factory} (known-answer check included). Every row is answered: one
 * that cannot be scored gets {@code error} ({@code STAGE/CODE: message}) and {@code error_code}, as
 * its dead letter would say, and the job keeps running.
 *
 * <p>Rows reach the batcher only as fast as the planner lets them: {@code
 * max-concurrent-operations} (per query or {@code table.exec.async-ml-predict.*}, 10 by default)
 * bounds the rows in flight, so it should be at least the batch size.
 */
public class ImagePredictFunction extends AsyncPredictFunction {

    private static final long serialVersionUID = 1L;

    private final PredictConfig config;

    private transient RequestReader reader;
    private transient ImageFetcher fetcher;
    private transient ImagePreparer preparer;
    private transient ExecutorService decoders;
    private transient BatchScorer scorer;
    private transient MicroBatcher<CroppedImage, Prediction> batcher;

    public ImagePredictFunction(PredictConfig config) {
        this.config = config;
    }

    @Override
    public void open(FunctionContext context) throws Exception {
        // ImageIO finds plugins (CMYK JPEG, WebP) through the context class loader, which on a
        // cluster is the job's class loader only now.
        ImageIO.scanForPlugins();
        ImageIO.setUseCache(false);
        int subtask = subtask(context);
        reader = new RequestReader();
        fetcher = new ImageFetcher(config.fetch());
        preparer = new ImagePreparer(config.prepare());
        decoders =
                Executors.newFixedThreadPool(
                        config.decodeThreads(),
                        r -> {
                            Thread t = new Thread(r, "inception-sql-decode-" + subtask);
                            t.setDaemon(true);
                            return t;
                        });
        scorer = config.scorer().open(subtask);
        batcher =
                new MicroBatcher<>(
                        config.batchSize(),
                        config.maxBatchDelayMs(),
                        batch -> scorer.score(batch, System.currentTimeMillis()),
                        "inception-sql-inference-" + subtask);
    }

    private static int subtask(FunctionContext context) {
        try {
            return context.getTaskInfo().getIndexOfThisSubtask();
        } catch (TableException e) { // no task (e.g. a test calling open directly)
            return 0;
        }
    }

    @Override
    public CompletableFuture<Collection<RowData>> asyncPredict(RowData input) {
        CompletableFuture<PredictOutcome> outcome;
        try {
            outcome = score(input);
        } catch (RuntimeException e) {
            outcome =
                    CompletableFuture.completedFuture(
                            PredictOutcome.failed(
                                    null, Stage.UNKNOWN, ErrorCode.INTERNAL_ERROR, e.toString()));
        }
        return outcome.thenApply(o -> List.of(toRow(o)));
    }

    private CompletableFuture<PredictOutcome> score(RowData input) {
        ImageRequest request;
        try {
            request = read(input);
        } catch (RequestReader.UnreadableException e) {
            return CompletableFuture.completedFuture(
                    PredictOutcome.failed(null, Stage.DESERIALIZE, e.code(), e.getMessage()));
        }
        long fetchStarted = System.nanoTime();
        CompletableFuture<byte[]> bytes =
                request.inlineImage != null
                        ? CompletableFuture.supplyAsync(
                                () -> fetcher.checkInline(request.inlineImage), decoders)
                        : fetcher.fetch(request.uri);
        return bytes.handleAsync(
                        (encoded, error) -> {
                            float fetchMs = (System.nanoTime() - fetchStarted) / 1e6f;
                            if (error != null) {
                                FetchException f = FetchException.of(error);
                                return PredictOutcome.failed(
                                        request.requestId, Stage.FETCH, f.code(), f.getMessage());
                            }
                            return prepare(request, encoded, fetchMs);
                        },
                        decoders)
                .thenCompose(
                        prepared ->
                                prepared instanceof CroppedImage crop
                                        ? infer(crop)
                                        : CompletableFuture.completedFuture(
                                                (PredictOutcome) prepared))
                .exceptionally(
                        e ->
                                PredictOutcome.failed(
                                        request.requestId,
                                        Stage.UNKNOWN,
                                        ErrorCode.INTERNAL_ERROR,
                                        e.toString()));
    }

    /** The request in the input column, as the job reads a Kafka value. */
    private ImageRequest read(RowData input) throws RequestReader.UnreadableException {
        byte[] value =
                input.isNullAt(0)
                        ? null
                        : config.input() == PredictConfig.Input.URI
                                ? input.getString(0).toBytes()
                                : input.getBinary(0);
        ImageRequest request = reader.read(new RawMessage(null, -1, -1, 0, null, value));
        if (!AvroCodec.isSingleObject(value)) {
            request.requestId = request.uri; // a plain URI names itself
        }
        return request;
    }

    /** A crop ready for the batcher, or the outcome of a failed decode. */
    private Object prepare(ImageRequest request, byte[] encoded, float fetchMs) {
        long started = System.nanoTime();
        List<RgbImage> crops;
        try {
            crops = preparer.prepare(encoded);
        } catch (DecodeException e) {
            return PredictOutcome.failed(
                    request.requestId,
                    Stage.DECODE,
                    DecodeCropFunction.code(e.reason()),
                    e.getMessage());
        } catch (ImagePreparer.PreprocessException e) {
            return PredictOutcome.failed(
                    request.requestId,
                    Stage.PREPROCESS,
                    ErrorCode.PREPROCESS_FAILED,
                    e.getMessage());
        } catch (RuntimeException e) {
            return PredictOutcome.failed(
                    request.requestId,
                    Stage.DECODE,
                    ErrorCode.CORRUPT_IMAGE,
                    "Decoder failed: " + e);
        }
        RgbImage image = crops.get(0); // one crop per image: the provider allows center or none
        CroppedImage crop = new CroppedImage();
        crop.request = request;
        request.inlineImage = null;
        crop.width = image.width();
        crop.height = image.height();
        crop.pixels = image.pixels();
        crop.cropMode = preparer.cropMode().id();
        crop.fetchMs = fetchMs;
        crop.decodeMs = (System.nanoTime() - started) / 1e6f;
        crop.readyAtMs = System.currentTimeMillis();
        return crop;
    }

    private CompletableFuture<PredictOutcome> infer(CroppedImage crop) {
        return batcher.submit(crop)
                .handle(
                        (prediction, error) ->
                                error == null
                                        ? PredictOutcome.scored(prediction)
                                        : PredictOutcome.failed(
                                                crop.request.requestId,
                                                Stage.INFERENCE,
                                                ErrorCode.INFERENCE_FAILED,
                                                "Inference failed for its batch: " + error));
    }

    private RowData toRow(PredictOutcome outcome) {
        List<PredictionColumn> columns = config.columns();
        GenericRowData row = new GenericRowData(columns.size());
        for (int i = 0; i < columns.size(); i++) {
            row.setField(i, columns.get(i).of(outcome));
        }
        return row;
    }

    @Override
    public void close() throws Exception {
        if (batcher != null) {
            batcher.close();
        }
        if (scorer != null) {
            scorer.close();
        }
        if (decoders != null) {
            decoders.shutdownNow();
        }
        if (fetcher != null) {
            fetcher.close();
        }
    }
}
