package io.inceptionpipeline.pipeline;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * The samples bundled in the jar, copied out to a folder: {@link #PHOTOS} ({@code samples/images})
 * and {@link #FASHION_MNIST} ({@code samples/fashion-mnist}: test images and labels.csv).
 */
public final class SampleImages {

    public static final String PHOTOS = "samples/images/";
    public static final String FASHION_MNIST = "samples/fashion-mnist/";

    private SampleImages() {}

    /** Copies the bundled photos into {@code target}; returns the files, in name order. */
    public static List<Path> extract(Path target) throws IOException {
        return extract(PHOTOS, target);
    }

    /**
     * Copies every bundled file under {@code prefix} (one of the constants) into {@code target},
     * keeping sub-folders; returns the files, in name order.
     */
    public static List<Path> extract(String prefix, Path target) throws IOException {
        Files.createDirectories(target);
        List<String> names = new ArrayList<>();
        Path location;
        try {
            location =
                    Path.of(
                            SampleImages.class
                                    .getProtectionDomain()
                                    .getCodeSource()
                                    .getLocation()
                                    .toURI());
        } catch (URISyntaxException e) {
            throw new IOException(e);
        }
        if (Files.isDirectory(location)) { // classes folder: tests, IDE
            Path root = location.resolve(prefix);
            try (Stream<Path> files = Files.walk(root)) {
                files.filter(Files::isRegularFile)
                        .forEach(f -> names.add(root.relativize(f).toString()));
            }
        } else {
            try (JarFile jar = new JarFile(location.toFile())) {
                for (Enumeration<JarEntry> e = jar.entries(); e.hasMoreElements(); ) {
                    String name = e.nextElement().getName();
                    if (name.startsWith(prefix)
                            && name.length() > prefix.length()
                            && !name.endsWith("/")) {
                        names.add(name.substring(prefix.length()));
                    }
                }
            }
        }
        names.sort(null);
        List<Path> files = new ArrayList<>();
        for (String name : names) {
            try (InputStream in = SampleImages.class.getResourceAsStream("/" + prefix + name)) {
                Path file = target.resolve(name);
                Files.createDirectories(file.getParent());
                Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
                files.add(file);
            }
        }
        if (files.isEmpty()) {
            throw new IOException("No sample images are bundled in " + location);
        }
        return files;
    }
}
