package io.inceptionpipeline.models.spec;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Class names of a classifier head. A head with one more row than there are names is the TF-slim
 * layout, whose row 0 is "background": its labels are offset by one.
 */
public final class Labels {

    private final String source;
    private final List<String> names;

    private Labels(String source, List<String> names) {
        this.source = source;
        this.names = List.copyOf(names);
    }

    /** The 1000 ImageNet-1k class names, in the order of torchvision's and timm's heads. */
    public static Labels imagenet1k() {
        return fromResource("imagenet-1k.txt");
    }

    /** No names: every row is "class N" (facenet's identities, a head the user trained). */
    public static Labels none() {
        return new Labels("unnamed", List.of());
    }

    /** One name a line from a resource next to this class. */
    public static Labels fromResource(String resource) {
        try (InputStream in = Labels.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("Missing labels resource " + resource);
            }
            List<String> names = new ArrayList<>();
            BufferedReader reader =
                    new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                if (!line.isBlank()) {
                    names.add(line.strip());
                }
            }
            return new Labels(resource, names);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Number of names. */
    public int size() {
        return names.size();
    }

    /** Row offset of a head with {@code rows} outputs: 1 for the TF-slim background row, else 0. */
    public int offsetFor(int rows) {
        return rows == names.size() + 1 ? 1 : 0;
    }

    /** The name of output row {@code row} of a head with {@code rows} outputs. */
    public String label(int row, int rows) {
        int index = row - offsetFor(rows);
        if (index < 0) {
            return "background";
        }
        return index < names.size() ? names.get(index) : "class " + row;
    }

    @Override
    public String toString() {
        return source + " (" + names.size() + " names)";
    }
}
