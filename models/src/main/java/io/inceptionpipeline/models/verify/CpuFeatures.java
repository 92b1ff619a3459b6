package io.inceptionpipeline.models.verify;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * The processor this JVM runs on, as Linux reports it in {@code /proc/cpuinfo}: vendor, model,
 * family and the instruction-set extensions that decide which kernels oneDNN (inside both MXNet and
 * LibTorch) dispatches to. Numerical engines differ by CPU, so every verification message names
 * these.
 *
 * @param vendor e.g. {@code GenuineIntel}, {@code AuthenticAMD}; {@code unknown} off Linux
 * @param model the model name
 * @param family the CPU family ({@code 26} is AMD Zen 5), or -1
 * @param flags the extensions of {@link #RELEVANT} the CPU has
 */
public record CpuFeatures(String vendor, String model, int family, Set<String> flags) {

    /** The extensions that change oneDNN's code paths, in the order they are reported. */
    public static final List<String> RELEVANT =
            List.of(
                    "avx2",
                    "fma",
                    "avx512f",
                    "avx512bw",
                    "avx512_vnni",
                    "avx_vnni",
                    "avx512_bf16",
                    "avx512_fp16",
                    "amx_tile",
                    "amx_bf16",
                    "amx_int8");

    private static CpuFeatures current;

    /** This machine's processor (read once). */
    public static synchronized CpuFeatures current() {
        if (current == null) {
            current = read(Path.of("/proc/cpuinfo"));
        }
        return current;
    }

    /** Parses a {@code /proc/cpuinfo} file; an unreadable file gives an "unknown" processor. */
    static CpuFeatures read(Path cpuinfo) {
        String vendor = "unknown";
        String model = "unknown";
        int family = -1;
        Set<String> flags = new TreeSet<>();
        List<String> lines;
        try {
            lines = Files.readAllLines(cpuinfo);
        } catch (IOException | RuntimeException e) {
            return new CpuFeatures(vendor, model, family, flags);
        }
        for (String line : lines) {
            int colon = line.indexOf(':');
            if (colon < 0) {
                if (line.isBlank() && !flags.isEmpty()) {
                    break; // the first processor is enough: all cores of a machine match
                }
                continue;
            }
            String key = line.substring(0, colon).trim();
            String value = line.substring(colon + 1).trim();
            switch (key) {
                case "vendor_id" -> vendor = value;
                case "model name" -> model = value;
                case "cpu family" -> family = parseInt(value);
                case "flags" -> {
                    for (String flag : value.split("\\s+")) {
                        if (RELEVANT.contains(flag)) {
                            flags.add(flag);
                        }
                    }
                }
                default -> {}
            }
        }
        return new CpuFeatures(vendor, model, family, flags);
    }

    private static int parseInt(String value) {
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /**
     * Whether the CPU has 8-bit dot-product instructions (AVX512-VNNI or AVX-VNNI): without them,
     * x86 int8 kernels multiply-add through 16-bit sums that full-range weights can saturate.
     */
    public boolean hasVnni() {
        return flags.contains("avx512_vnni") || flags.contains("avx_vnni");
    }

    /** Whether oneDNN can take its AVX-512 code paths here. */
    public boolean hasAvx512() {
        return flags.contains("avx512f");
    }

    /**
     * The oneDNN ISA limit exported to this process ({@code ONEDNN_MAX_CPU_ISA}, or the older
     * {@code DNNL_MAX_CPU_ISA}), or {@code none}.
     */
    public static String oneDnnIsaLimit() {
        for (String name : List.of("ONEDNN_MAX_CPU_ISA", "DNNL_MAX_CPU_ISA")) {
            String value = System.getenv(name);
            if (value != null && !value.isBlank()) {
                return name + "=" + value.trim().toUpperCase(Locale.ROOT);
            }
        }
        return "none";
    }

    /** One line: vendor, model, family and extensions, e.g. for error messages and logs. */
    public String describe() {
        List<String> ordered = RELEVANT.stream().filter(flags::contains).toList();
        return String.format(
                "%s (%s, family %d), extensions [%s], oneDNN ISA limit %s",
                model, vendor, family, String.join(" ", ordered), oneDnnIsaLimit());
    }
}
