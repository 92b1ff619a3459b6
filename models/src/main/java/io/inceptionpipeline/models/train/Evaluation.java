package io.inceptionpipeline.models.train;

import io.inceptionpipeline.models.image.CropMode;
import io.inceptionpipeline.models.image.RgbImage;
import io.inceptionpipeline.models.inference.ScoreMean;
import io.inceptionpipeline.models.inference.Scores;
import io.inceptionpipeline.models.inference.ScoringModel;
import io.inceptionpipeline.models.inference.TopK;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.IntFunction;

/**
 * Accuracy of a model on labelled images: top-1, top-5, per class and the confusion matrix ({@code
 * confusion[true][predicted]}).
 */
public record Evaluation(List<String> classes, int count, int top1, int top5, int[][] confusion) {

    /**
     * Scores {@code count} images (image {@code i} and its label from the functions) in batches.
     */
    public static Evaluation of(
            ScoringModel model,
            List<String> classes,
            int count,
            IntFunction<RgbImage> image,
            IntFunction<Integer> label,
            int batchSize,
            CropMode cropMode) {
        return of(
                List.of(model),
                new double[] {1},
                classes,
                count,
                image,
                label,
                batchSize,
                cropMode);
    }

    /**
     * Scores {@code count} images with every crop of {@code cropMode} and every member of an
     * ensemble (all of one preprocessing), each image's answer the mean of its crops' probabilities
     * weighted by {@code memberWeights}. {@code batchSize} crops go through each forward pass.
     */
    public static Evaluation of(
            List<ScoringModel> members,
            double[] memberWeights,
            List<String> classes,
            int count,
            IntFunction<RgbImage> image,
            IntFunction<Integer> label,
            int batchSize,
            CropMode cropMode) {
        if (members.isEmpty() || memberWeights.length != members.size()) {
            throw new IllegalArgumentException(
                    "Need one weight per member, got "
                            + memberWeights.length
                            + " for "
                            + members.size());
        }
        int n = classes.size();
        int[][] confusion = new int[n][n];
        int top1 = 0;
        int top5 = 0;
        int crops = cropMode.cropCount();
        int imagesPerStep = Math.max(1, batchSize / crops);
        for (int from = 0; from < count; from += imagesPerStep) {
            int to = Math.min(count, from + imagesPerStep);
            List<RgbImage> batch = new ArrayList<>((to - from) * crops);
            for (int i = from; i < to; i++) {
                List<RgbImage> made = members.get(0).preprocessor().crops(image.apply(i), cropMode);
                if (made.size() != crops) {
                    throw new IllegalStateException(
                            cropMode.id() + " made " + made.size() + " crops, not " + crops);
                }
                batch.addAll(made);
            }
            List<ScoreMean> means = new ArrayList<>(to - from);
            for (int i = from; i < to; i++) {
                means.add(new ScoreMean(n));
            }
            for (int m = 0; m < members.size(); m++) {
                // Every class's probability: the crops' softmax vectors are averaged.
                List<Scores> scores = members.get(m).score(batch, n, false);
                for (int j = 0; j < scores.size(); j++) {
                    means.get(j / crops).add(scores.get(j).topK(), memberWeights[m]);
                }
            }
            for (int i = from; i < to; i++) {
                List<TopK> top = means.get(i - from).topK(5, classes::get);
                int truth = label.apply(i);
                int predicted = top.get(0).index();
                confusion[truth][predicted]++;
                if (predicted == truth) {
                    top1++;
                }
                if (top.stream().anyMatch(k -> k.index() == truth)) {
                    top5++;
                }
            }
        }
        return new Evaluation(List.copyOf(classes), count, top1, top5, confusion);
    }

    public double top1Accuracy() {
        return (double) top1 / count;
    }

    public double top5Accuracy() {
        return (double) top5 / count;
    }

    /** Accuracy on the images of class {@code c}. */
    public double classAccuracy(int c) {
        int total = 0;
        for (int v : confusion[c]) {
            total += v;
        }
        return total == 0 ? Double.NaN : (double) confusion[c][c] / total;
    }

    /** Markdown: the headline figures, per-class accuracy and the confusion matrix. */
    public String markdown() {
        StringBuilder sb = new StringBuilder();
        sb.append(
                String.format(
                        Locale.ROOT,
                        "- images: %d%n- top-1 accuracy: %.2f%% (%d)%n- top-5 accuracy: %.2f%% (%d)%n%n",
                        count,
                        100 * top1Accuracy(),
                        top1,
                        100 * top5Accuracy(),
                        top5));
        sb.append("| class | accuracy |\n|---|---:|\n");
        for (int c = 0; c < classes.size(); c++) {
            sb.append(
                    String.format(
                            Locale.ROOT,
                            "| %d %s | %.1f%% |%n",
                            c,
                            classes.get(c),
                            100 * classAccuracy(c)));
        }
        sb.append(
                "\nConfusion matrix (rows: true class, columns: predicted class):\n\n| true \\ predicted |");
        for (int c = 0; c < classes.size(); c++) {
            sb.append(' ').append(c).append(" |");
        }
        sb.append("\n|---|");
        sb.append("---:|".repeat(classes.size()));
        sb.append('\n');
        for (int t = 0; t < classes.size(); t++) {
            sb.append("| ").append(t).append(' ').append(classes.get(t)).append(" |");
            for (int p = 0; p < classes.size(); p++) {
                sb.append(' ').append(confusion[t][p]).append(" |");
            }
            sb.append('\n');
        }
        return sb.toString();
    }
}
