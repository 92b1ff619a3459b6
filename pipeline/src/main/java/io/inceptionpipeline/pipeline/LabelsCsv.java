package io.inceptionpipeline.pipeline;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The true labels of a folder of images, if it has a {@code labels.csv}: a header, then {@code
 * file,index[,label]} a line, {@code file} relative to the folder (as the bundled Fashion-MNIST
 * sample has it).
 */
public final class LabelsCsv {

    public static final String FILE_NAME = "labels.csv";

    private LabelsCsv() {}

    /** File (relative to {@code folder}) → class index; empty when there is no labels.csv. */
    public static Map<String, Integer> read(Path folder) throws IOException {
        Path csv = folder.resolve(FILE_NAME);
        Map<String, Integer> labels = new HashMap<>();
        if (!Files.isRegularFile(csv)) {
            return labels;
        }
        List<String> lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
        for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
            String[] fields = line.split(",");
            if (fields.length >= 2) {
                labels.put(fields[0].strip(), Integer.parseInt(fields[1].strip()));
            }
        }
        return labels;
    }
}
