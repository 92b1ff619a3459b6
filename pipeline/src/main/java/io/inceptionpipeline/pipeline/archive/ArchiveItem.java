package io.inceptionpipeline.pipeline.archive;

/**
 * One image of an archive run: its request id (kept across runs, which resuming relies on), its URI
 * and where it was listed (manifest line number, or the position in an S3 listing).
 */
public record ArchiveItem(String id, String uri, long position) {}
