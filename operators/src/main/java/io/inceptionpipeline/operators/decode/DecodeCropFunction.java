package io.inceptionpipeline.operators.decode;

import io.inceptionpipeline.models.image.RgbImage;
import io.inceptionpipeline.operators.failure.Failures;
import io.inceptionpipeline.operators.records.CroppedImage;
import io.inceptionpipeline.operators.records.FetchedImage;
import io.inceptionpipeline.schemas.ErrorCode;
import io.inceptionpipeline.schemas.Stage;
import java.util.List;
import javax.imageio.ImageIO;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Fetched bytes → 8-bit model-sized crops. Failed fetches, undecodable images and images the crop
 * step refuses go to the dead letters with their stage and code.
 */
public class DecodeCropFunction extends ProcessFunction<FetchedImage, CroppedImage> {

    private final PrepareConfig config;
    private transient ImagePreparer preparer;

    public DecodeCropFunction(PrepareConfig config) {
        this.config = config;
    }

    @Override
    public void open(OpenContext openContext) {
        // ImageIO finds plugins (CMYK JPEG, WebP) through the context class loader, which on a
        // cluster is the job's class loader only now.
        ImageIO.scanForPlugins();
        ImageIO.setUseCache(false);
        preparer = new ImagePreparer(config);
    }

    @Override
    public void processElement(FetchedImage fetched, Context ctx, Collector<CroppedImage> out) {
        if (fetched.failed()) {
            ctx.output(
                    Failures.TAG,
                    Failures.of(
                            fetched.request,
                            Stage.FETCH,
                            ErrorCode.valueOf(fetched.errorCode),
                            fetched.errorMessage));
            return;
        }
        long started = System.nanoTime();
        List<RgbImage> crops;
        try {
            crops = preparer.prepare(fetched.bytes);
        } catch (DecodeException e) {
            ctx.output(
                    Failures.TAG,
                    Failures.of(fetched.request, Stage.DECODE, code(e.reason()), e.getMessage()));
            return;
        } catch (ImagePreparer.PreprocessException e) {
            ctx.output(
                    Failures.TAG,
                    Failures.of(
                            fetched.request,
                            Stage.PREPROCESS,
                            ErrorCode.PREPROCESS_FAILED,
                            e.getMessage()));
            return;
        } catch (RuntimeException e) {
            ctx.output(
                    Failures.TAG,
                    Failures.of(
                            fetched.request,
                            Stage.DECODE,
                            ErrorCode.CORRUPT_IMAGE,
                            "Decoder failed: " + e));
            return;
        }
        float decodeMs = (System.nanoTime() - started) / 1e6f;
        long now = ctx.timerService().currentProcessingTime();
        for (int i = 0; i < crops.size(); i++) {
            CroppedImage crop = new CroppedImage();
            crop.request = fetched.request;
            crop.request.inlineImage = null; // the bytes are decoded: do not carry them further
            crop.width = crops.get(i).width();
            crop.height = crops.get(i).height();
            crop.pixels = crops.get(i).pixels();
            crop.cropMode = preparer.cropMode().id();
            crop.cropIndex = i;
            crop.cropCount = crops.size();
            crop.fetchMs = fetched.fetchMs;
            crop.decodeMs = decodeMs;
            crop.readyAtMs = now;
            out.collect(crop);
        }
    }

    /** The dead letter code of a decode failure (also used by the SQL predict function). */
    public static ErrorCode code(DecodeException.Reason reason) {
        switch (reason) {
            case EMPTY:
                return ErrorCode.EMPTY_IMAGE;
            case UNSUPPORTED_FORMAT:
                return ErrorCode.UNSUPPORTED_FORMAT;
            case NOT_AN_IMAGE:
                return ErrorCode.NOT_AN_IMAGE;
            case TRUNCATED:
                return ErrorCode.TRUNCATED_IMAGE;
            case TOO_MANY_PIXELS:
                return ErrorCode.TOO_MANY_PIXELS;
            default:
                return ErrorCode.CORRUPT_IMAGE;
        }
    }
}
