package io.inceptionpipeline.pipeline.archive;

/** One line of a manifest as the file source read it, with its 1-based line number. */
public class ManifestLine {
    public long number;
    public String text;

    public ManifestLine() {}

    public ManifestLine(long number, String text) {
        this.number = number;
        this.text = text;
    }
}
