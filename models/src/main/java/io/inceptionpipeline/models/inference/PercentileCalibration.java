package io.inceptionpipeline.models.inference;

import ai.onnx.proto.OnnxMl;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.inceptionpipeline.models.onnx.Int8Quantizer;
import java.io.IOException;
import java.math.BigDecimal;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Percentile calibration ({@code --calibration-method percentile --calibration-percentile P}): each
 * tensor's range runs from the (100 − P)th to the Pth percentile of all the values it takes on all
 * calibration images, so a rare outlier activation (a specular highlight in a photo, one saturated
 * channel) is clipped instead of stretching the scale every other value is rounded to.
 *
 * <p><b>Exact, in memory that grows with 100 − P only.</b> Of the N values a tensor takes (count ×
 * its elements per image), the Pth percentile is taken as the k-th largest value and the (100 −
 * P)th as the k-th smallest, with k = ⌊N·(100 − P)/100⌋ + 1 (nearest rank; P = 100 gives min/max).
 * The graph ({@link Int8Quantizer#tailsModel}) selects each batch's k largest and k smallest values
 * with TopK where the tensor is computed, and this class merges them into the k largest and k
 * smallest so far: each of the k largest of all values is among the k largest of its own batch, so
 * this is exact. What is kept is 2k values per tensor, (100 − P)/50 of all values: for
 * Inception-ResNet-v2 (42.75 million quantized activations per 299×299 image) on 512 images at P =
 * 99.99, about 4.4 million floats. A fixed-bin histogram (ONNX Runtime's own calibrator) bounds
 * memory at any P, but needs every activation copied out of the graph plus a first pass for the
 * bins' extent, and is exact only to a bin. Percentiles far from 100 keep more; a calibration that
 * would keep more than {@link #MAX_KEPT_VALUES} values is refused with what to change.
 *
 * @param percentile P, in (90, 100]
 */
public record PercentileCalibration(double percentile) implements CalibrationMethod {

    private static final Logger LOG = LoggerFactory.getLogger(PercentileCalibration.class);

    /** The id of {@code --calibration-method}. */
    public static final String ID = "percentile";

    /** The most tail values one calibration keeps, over all tensors (256 MiB of floats). */
    public static final long MAX_KEPT_VALUES = 64L << 20;

    public PercentileCalibration {
        if (!(percentile > 90 && percentile <= 100)) {
            throw new IllegalArgumentException(
                    "The calibration percentile must be above 90 and at most 100 (99.99 clips the"
                            + " rarest 1 in 10,000 of each tensor's values at each end), got "
                            + percentile);
        }
    }

    @Override
    public String describe() {
        return ID + " " + percentileText();
    }

    /** P as written: {@code 99.99}, {@code 100}. */
    private String percentileText() {
        return BigDecimal.valueOf(percentile).stripTrailingZeros().toPlainString();
    }

    /** How many values each tail of {@code n} values keeps: ⌊n·(100 − P)/100⌋ + 1. */
    long tailLength(long n) {
        return (long) Math.floor(n * ((100 - percentile) / 100)) + 1;
    }

    @Override
    public OnnxMl.ModelProto calibrationGraph(OnnxMl.ModelProto prepared, List<String> tensors) {
        return Int8Quantizer.tailsModel(prepared, tensors);
    }

    @Override
    public Map<String, Int8Quantizer.Range> ranges(Int8Calibration run)
            throws IOException, OrtException {
        Map<String, Long> perImage = elementsPerImage(run);
        Map<String, Integer> tails = tailLengths(perImage, run.count());
        Set<String> outputs = new HashSet<>();
        for (String tensor : run.tensors()) {
            outputs.add(Int8Quantizer.largestOf(tensor));
            outputs.add(Int8Quantizer.smallestNegatedOf(tensor));
        }
        Map<String, float[]> largest = new HashMap<>();
        Map<String, float[]> smallestNegated = new HashMap<>();
        for (int start = 0; start < run.count(); start += run.batch()) {
            int n = Math.min(run.batch(), run.count() - start);
            Map<String, Long> inputs = new HashMap<>();
            for (String tensor : run.tensors()) {
                long k = Math.min(tails.get(tensor), n * perImage.get(tensor));
                inputs.put(Int8Quantizer.tailLengthOf(tensor), k);
            }
            try (OrtSession.Result result = run.run(start, n, inputs, outputs)) {
                for (String tensor : run.tensors()) {
                    int k = tails.get(tensor);
                    largest.merge(
                            tensor,
                            Int8Calibration.floats(result, Int8Quantizer.largestOf(tensor)),
                            (a, b) -> largest(a, b, k));
                    smallestNegated.merge(
                            tensor,
                            Int8Calibration.floats(result, Int8Quantizer.smallestNegatedOf(tensor)),
                            (a, b) -> largest(a, b, k));
                }
            }
        }
        Map<String, Int8Quantizer.Range> ranges = new LinkedHashMap<>();
        for (String tensor : run.tensors()) {
            float[] top = largest.get(tensor);
            float[] bottom = smallestNegated.get(tensor);
            ranges.put(
                    tensor,
                    new Int8Quantizer.Range(-bottom[bottom.length - 1], top[top.length - 1]));
        }
        return ranges;
    }

    /**
     * Each tensor's tail length k over {@code count} images of {@code perImage} elements each, in
     * {@code perImage}'s order; refuses a calibration that would keep more than {@link
     * #MAX_KEPT_VALUES} values in all.
     */
    Map<String, Integer> tailLengths(Map<String, Long> perImage, int count) throws IOException {
        Map<String, Integer> tails = new LinkedHashMap<>();
        long kept = 0;
        for (Map.Entry<String, Long> tensor : perImage.entrySet()) {
            long k = tailLength(tensor.getValue() * count);
            kept += 2 * k;
            tails.put(tensor.getKey(), (int) Math.min(k, Integer.MAX_VALUE));
        }
        if (kept > MAX_KEPT_VALUES) {
            throw new IOException(
                    String.format(
                            "Percentile calibration at %s on %d images would keep %,d activation"
                                    + " values (limit %,d): use a percentile nearer 100 or fewer"
                                    + " calibration images (--calibration-count)",
                            percentileText(), count, kept, MAX_KEPT_VALUES));
        }
        LOG.info(
                "Percentile calibration at {}: {} tensors, {} activations per image, {} images;"
                        + " keeping {} tail values",
                percentileText(),
                perImage.size(),
                perImage.values().stream().mapToLong(Long::longValue).sum(),
                count,
                kept);
        return tails;
    }

    /** Each tensor's element count per image, from one image run with tails of one value. */
    private static Map<String, Long> elementsPerImage(Int8Calibration run)
            throws IOException, OrtException {
        Map<String, Long> ones = new HashMap<>();
        Set<String> sizes = new HashSet<>();
        for (String tensor : run.tensors()) {
            ones.put(Int8Quantizer.tailLengthOf(tensor), 1L);
            sizes.add(Int8Quantizer.sizeOf(tensor));
        }
        Map<String, Long> perImage = new HashMap<>();
        try (OrtSession.Result result = run.run(0, 1, ones, sizes)) {
            for (String tensor : run.tensors()) {
                perImage.put(
                        tensor, Int8Calibration.scalarLong(result, Int8Quantizer.sizeOf(tensor)));
            }
        }
        return perImage;
    }

    /**
     * The {@code k} largest of {@code a} and {@code b} together (fewer if they hold fewer), both
     * and the result sorted from the largest.
     */
    static float[] largest(float[] a, float[] b, int k) {
        float[] merged = new float[Math.min(k, a.length + b.length)];
        int i = 0;
        int j = 0;
        for (int m = 0; m < merged.length; m++) {
            merged[m] = j >= b.length || (i < a.length && a[i] >= b[j]) ? a[i++] : b[j++];
        }
        return merged;
    }

    @Override
    public String toString() {
        return describe();
    }
}
