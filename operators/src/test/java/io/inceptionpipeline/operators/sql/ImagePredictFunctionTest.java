package io.inceptionpipeline.operators.sql;

import static org.assertj.core.api.Assertions.assertThat;

import io.inceptionpipeline.models.image.RgbImage;
import io.inceptionpipeline.operators.batch.BatchScorer;
import io.inceptionpipeline.operators.decode.ImagePreparer;
import io.inceptionpipeline.operators.decode.PrepareConfig;
import io.inceptionpipeline.operators.fetch.FetchConfig;
import io.inceptionpipeline.operators.inference.ModelScorerFactory;
import io.inceptionpipeline.operators.records.CroppedImage;
import io.inceptionpipeline.operators.records.ImageRequest;
import io.inceptionpipeline.schemas.AvroCodec;
import io.inceptionpipeline.schemas.Prediction;
import io.inceptionpipeline.schemas.ScoringRequest;
import java.awt.image.BufferedImage;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.functions.FunctionContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ML_PREDICT function with the shipped Fashion-MNIST model, without a cluster: concurrent rows
 * are scored in batches with the scores the job's scorer gives the same crops, and each row that
 * cannot be scored comes back as a row with its failure code, the function still serving.
 */
class ImagePredictFunctionTest {

    static final String MODEL = "inception_resnet_fmnist";
    static final List<PredictionColumn> COLUMNS =
            List.of(
                    PredictionColumn.REQUEST_ID,
                    PredictionColumn.CLASS_INDEX,
                    PredictionColumn.SCORE,
                    PredictionColumn.BATCH_SIZE,
                    PredictionColumn.ERROR_CODE,
                    PredictionColumn.ERROR);

    @TempDir static Path images;
    static List<Path> files = new ArrayList<>();
    static ModelScorerFactory scorer =
            new ModelScorerFactory(MODEL, null, 42, "MXNet", 3, false, 0, "test");
    static ImagePredictFunction uris;

    @BeforeAll
    static void open() throws Exception {
        Random random = new Random(7);
        for (int i = 0; i < 6; i++) {
            BufferedImage grey = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
            byte[] pixels = new byte[28 * 28];
            random.nextBytes(pixels);
            grey.getRaster().setDataElements(0, 0, 28, 28, pixels);
            Path file = images.resolve("img-" + i + ".png");
            ImageIO.write(grey, "png", file.toFile());
            files.add(file);
        }
        Files.writeString(images.resolve("not-an-image.png"), "hello");
        uris = function(PredictConfig.Input.URI, 4);
    }

    static ImagePredictFunction function(PredictConfig.Input input, int batchSize)
            throws Exception {
        ImagePredictFunction f =
                new ImagePredictFunction(
                        new PredictConfig(
                                input,
                                FetchConfig.defaults().withAllowedRoots(List.of(images.toString())),
                                new PrepareConfig(MODEL, "center", 40_000_000L, true),
                                scorer,
                                batchSize,
                                10_000,
                                2,
                                COLUMNS));
        f.open(new FunctionContext(null));
        return f;
    }

    @AfterAll
    static void close() throws Exception {
        uris.close();
    }

    static RowData predict(ImagePredictFunction f, Object value) throws Exception {
        Collection<RowData> rows =
                f.asyncPredict(GenericRowData.of(value)).get(60, TimeUnit.SECONDS);
        assertThat(rows).hasSize(1);
        return rows.iterator().next();
    }

    @Test
    void concurrentRowsAreScoredInBatchesAsTheJobScoresThem() throws Exception {
        List<CompletableFuture<Collection<RowData>>> pending = new ArrayList<>();
        for (Path file : files.subList(0, 4)) {
            pending.add(
                    uris.asyncPredict(
                            GenericRowData.of(StringData.fromString(file.toUri().toString()))));
        }
        List<Prediction> expected = direct(files.subList(0, 4));
        for (int i = 0; i < 4; i++) {
            RowData row = pending.get(i).get(60, TimeUnit.SECONDS).iterator().next();
            assertThat(row.getString(0).toString()).isEqualTo(files.get(i).toUri().toString());
            assertThat(row.getInt(1)).isEqualTo(expected.get(i).getTopK().get(0).getIndex());
            assertThat(row.getFloat(2)).isEqualTo(expected.get(i).getTopK().get(0).getScore());
            assertThat(row.getInt(3)).as("batch size").isEqualTo(4);
            assertThat(row.isNullAt(4)).isTrue();
            assertThat(row.isNullAt(5)).isTrue();
        }
    }

    /** The job's scorer on the job's crops of the same files. */
    private static List<Prediction> direct(List<Path> batch) throws Exception {
        ImagePreparer preparer =
                new ImagePreparer(new PrepareConfig(MODEL, "center", 40_000_000L, true));
        List<CroppedImage> crops = new ArrayList<>();
        for (Path file : batch) {
            RgbImage image = preparer.prepare(Files.readAllBytes(file)).get(0);
            CroppedImage crop = new CroppedImage();
            crop.request = new ImageRequest();
            crop.request.requestId = file.toString();
            crop.request.uri = file.toUri().toString();
            crop.width = image.width();
            crop.height = image.height();
            crop.pixels = image.pixels();
            crop.cropMode = "center";
            crops.add(crop);
        }
        try (BatchScorer s = scorer.open(0)) {
            return s.score(crops, 0);
        }
    }

    @Test
    void rowsThatCannotBeScoredCarryTheirFailureCode() throws Exception {
        try (var f = closing(function(PredictConfig.Input.URI, 1))) {
            assertFailure(f.get(), "file:///etc/passwd", "PATH_NOT_ALLOWED", "FETCH/");
            assertFailure(
                    f.get(),
                    images.resolve("missing.png").toUri().toString(),
                    "NOT_FOUND",
                    "FETCH/");
            assertFailure(
                    f.get(),
                    images.resolve("not-an-image.png").toUri().toString(),
                    "NOT_AN_IMAGE",
                    "DECODE/");
            assertFailure(f.get(), "  ", "MISSING_URI", "DESERIALIZE/");
            RowData nullInput = predict(f.get(), null);
            assertThat(nullInput.getString(4).toString()).isEqualTo("MALFORMED_MESSAGE");
            // still serving
            RowData ok = predict(f.get(), StringData.fromString(files.get(5).toUri().toString()));
            assertThat(ok.isNullAt(4)).isTrue();
            assertThat(ok.getInt(3)).isEqualTo(1);
        }
    }

    @Test
    void bytesInputReadsAvroRequestsWithInlineImagesAndPlainUris() throws Exception {
        try (var f = closing(function(PredictConfig.Input.REQUEST, 1))) {
            byte[] avro =
                    AvroCodec.encode(
                            ScoringRequest.newBuilder()
                                    .setRequestId("inline-1")
                                    .setUri("")
                                    .setImage(ByteBuffer.wrap(Files.readAllBytes(files.get(0))))
                                    .build());
            RowData inline = predict(f.get(), avro);
            assertThat(inline.getString(0).toString()).isEqualTo("inline-1");
            assertThat(inline.isNullAt(4)).as("error code of %s", inline).isTrue();
            assertThat(inline.getInt(1))
                    .isEqualTo(direct(files.subList(0, 1)).get(0).getTopK().get(0).getIndex());

            String uri = files.get(1).toUri().toString();
            RowData plain = predict(f.get(), uri.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            assertThat(plain.getString(0).toString()).isEqualTo(uri);
            assertThat(plain.isNullAt(4)).isTrue();

            RowData garbage = predict(f.get(), new byte[] {(byte) 0xC3, 0x01, 1, 2});
            assertThat(garbage.getString(4).toString()).isIn("MALFORMED_MESSAGE", "UNKNOWN_SCHEMA");
        }
    }

    private static void assertFailure(
            ImagePredictFunction f, String uri, String code, String stagePrefix) throws Exception {
        RowData row = predict(f, StringData.fromString(uri));
        assertThat(row.getString(4)).as(uri).isNotNull();
        assertThat(row.getString(4).toString()).as(uri).isEqualTo(code);
        assertThat(row.getString(5).toString()).startsWith(stagePrefix + code + ": ");
        assertThat(row.isNullAt(1)).isTrue();
        assertThat(row.isNullAt(2)).isTrue();
    }

    /** try-with-resources for a function. */
    interface Closing extends AutoCloseable {
        ImagePredictFunction get();
    }

    private static Closing closing(ImagePredictFunction f) {
        return new Closing() {
            @Override
            public ImagePredictFunction get() {
                return f;
            }

            @Override
            public void close() throws Exception {
                f.close();
            }
        };
    }
}
