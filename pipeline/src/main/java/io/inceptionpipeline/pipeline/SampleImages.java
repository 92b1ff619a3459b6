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

/** The sample images bundled in the jar (from {@code samples/images}), copied out to a folder. */
public final class SampleImages {

    private static final String PREFIX = "samples/images/";

    private SampleImages() {}

    /** Copies every bundled sample into {@code target}; returns the files, in name order. */
    public static List<Path> extract(Path target) throws IOException {
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
            try (Stream<Path> files = Files.list(location.resolve(PREFIX))) {
                files.forEach(f -> names.add(f.getFileName().toString()));
            }
        } else {
            try (JarFile jar = new JarFile(location.toFile())) {
                for (Enumeration<JarEntry> e = jar.entries(); e.hasMoreElements(); ) {
                    String name = e.nextElement().getName();
                    if (name.startsWith(PREFIX)
                            && name.length() > PREFIX.length()
                            && !name.endsWith("/")) {
                        names.add(name.substring(PREFIX.length()));
                    }
                }
            }
        }
        names.sort(null);
        List<Path> files = new ArrayList<>();
        for (String name : names) {
            try (InputStream in = SampleImages.class.getResourceAsStream("/" + PREFIX + name)) {
                Path file = target.resolve(name);
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
