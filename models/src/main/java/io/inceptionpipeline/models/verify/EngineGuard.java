package io.inceptionpipeline.models.verify;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.engine.StandardCapabilities;
import ai.djl.ndarray.NDManager;
import io.inceptionpipeline.models.inference.NativeEnv;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Verifies an engine on a device before any model runs on it, once per JVM: the {@link
 * ConvolutionProbe} against a plain Java convolution (on ONNX Runtime as one-operator graphs,
 * {@link OnnxRuntimeConvolution}). Where the probe fails on the PyTorch engine on CPU, the remedy
 * is applied at once: LibTorch's oneDNN convolutions are switched off (its own kernels take over:
 * right, but much slower on small inputs) and the probe must then pass; otherwise, and on any other
 * engine, loading fails with a {@link KnownAnswerException}. On an AVX-512 CPU the fault is also
 * recorded ({@link KnownFaults}), and every later start sets {@code ONEDNN_MAX_CPU_ISA=AVX2} before
 * LibTorch's first convolution (oneDNN reads it only then), which keeps oneDNN's fast AVX2 kernels,
 * and verifies again; if the fault is found under that limit too, the record is raised and later
 * starts switch oneDNN's convolutions off before the first one. Where the probe passes, the engine
 * keeps its fastest kernels. Per-model known answers ({@link KnownAnswerCheck}) add the model's own
 * shapes on top.
 *
 * <p>Why measure rather than follow a fixed rule: LibTorch 2.7.1 computed wrong 3×3 convolutions on
 * an AMD Zen 5 (AVX-512), at its full ISA and under the AVX2 limit, but right ones on an Intel Xeon
 * with AVX-512, and the oneDNN ISA can only be limited before the library first runs, so only a
 * measurement on the machine itself can keep the fast path where it is right and leave it where it
 * is not.
 */
public final class EngineGuard {

    private static final Logger LOG = LoggerFactory.getLogger(EngineGuard.class);

    /**
     * What was verified about an engine on a device.
     *
     * @param engine DJL engine name
     * @param device the device probed
     * @param remedy what was done to make the engine right ({@code none} if nothing was needed)
     * @param worst the worst probed convolution after the remedy
     * @param millis how long the probe took
     */
    public record Status(
            String engine,
            Device device,
            String remedy,
            ConvolutionProbe.Case worst,
            long millis) {}

    private static final Map<String, Status> VERIFIED = new HashMap<>();

    /** The variable oneDNN (3.x; 2.x reads it too) takes its instruction-set limit from. */
    static final String ISA_VARIABLE = "ONEDNN_MAX_CPU_ISA";

    /** System property for deliberate faults (tests and drills only). */
    public static final String FAULT_INJECTION = "inception.faultInjection";

    /**
     * {@link #FAULT_INJECTION} value that imitates a fault in oneDNN's AVX-512 kernels only: the
     * probe sees it at LibTorch's full ISA, not under the AVX2 limit.
     */
    public static final String FAULTY_AVX512 = "faulty-avx512-convolutions";

    /**
     * {@link #FAULT_INJECTION} value that imitates what LibTorch 2.7.1 did on the real AMD Zen 5:
     * the probe sees the fault whenever oneDNN's convolutions run, at its full ISA and under the
     * AVX2 limit alike.
     */
    public static final String FAULTY_AVX512_AND_AVX2 = "faulty-avx512-and-avx2-convolutions";

    /** Whether LibTorch ran a convolution in this class loader (its ISA is then fixed). */
    private static boolean pytorchConvolved;

    /** Whether this class loader limited LibTorch's ISA to AVX2 before its first convolution. */
    private static boolean pytorchIsaCapped;

    /**
     * System property: {@code off} switches LibTorch's oneDNN convolutions off from the start, as
     * the remedy does after a failed self-test (to measure its cost, or where a user knows the CPU
     * is affected); anything else, or unset, leaves the decision to the self-test.
     */
    public static final String PYTORCH_ONEDNN = "inception.pytorch.onednn";

    private EngineGuard() {}

    /**
     * Probes {@code engine} on {@code device} unless done before in this JVM, applying the remedy
     * where one exists; throws if the engine still computes wrong convolutions.
     */
    public static synchronized Status verify(String engine, Device device)
            throws KnownAnswerException {
        String key = engine + "/" + device;
        Status known = VERIFIED.get(key);
        if (known != null) {
            return known;
        }
        Engine loaded = Engine.getEngine(engine);
        String remedy = "none";
        KnownFaults.Avoidance recorded = knownFault(loaded, device);
        boolean capped =
                recorded == KnownFaults.Avoidance.AVX2_ISA && NativeEnv.set(ISA_VARIABLE, "AVX2");
        if ("PyTorch".equals(engine)) {
            pytorchConvolved = true; // the probe about to run is LibTorch's first convolution
            pytorchIsaCapped = capped;
        }
        if (capped) {
            remedy =
                    "ONEDNN_MAX_CPU_ISA=AVX2 set before LibTorch's first convolution: its AVX-512"
                            + " convolutions were wrong on this CPU before ("
                            + KnownFaults.file(engine, loaded.getVersion())
                            + ")";
        }
        List<ConvolutionProbe.Case> cases;
        long started;
        NDManager manager = null;
        try {
            ConvolutionProbe.Convolution convolution;
            if (OnnxRuntimeConvolution.ENGINE.equals(engine)) {
                convolution = new OnnxRuntimeConvolution(device);
            } else {
                manager = loaded.newBaseManager(device);
                convolution = ConvolutionProbe.on(manager);
            }
            started = System.nanoTime();
            if ("off".equals(System.getProperty(PYTORCH_ONEDNN))
                    && applyRemedy(engine, device) != null) {
                remedy =
                        "LibTorch's oneDNN convolutions switched off by -D"
                                + PYTORCH_ONEDNN
                                + "=off";
            } else if (recorded == KnownFaults.Avoidance.ONEDNN_OFF
                    && applyRemedy(engine, device) != null) {
                remedy =
                        "LibTorch's oneDNN convolutions switched off at start: they were wrong on"
                                + " this CPU at its full ISA and under the AVX2 limit before ("
                                + KnownFaults.file(engine, loaded.getVersion())
                                + ")";
            }
            try {
                cases = injectFault(ConvolutionProbe.run(convolution), engine, device, capped);
            } finally {
                if (capped) {
                    // oneDNN has read its limit at the first convolution; the JVM's other
                    // engines (MXNet's own oneDNN) must not inherit it.
                    NativeEnv.unset(ISA_VARIABLE);
                }
            }
            if (!allPass(cases)) {
                List<ConvolutionProbe.Case> failed = failures(cases);
                LOG.warn(
                        "{} on {} computes wrong convolutions: {}; CPU: {}",
                        engine,
                        device,
                        failed,
                        CpuFeatures.current().describe());
                String applied = applyRemedy(engine, device);
                if (applied != null) {
                    remedy = applied;
                    cases = injectFault(ConvolutionProbe.run(convolution), engine, device, capped);
                }
                if (!allPass(cases)) {
                    if (applied != null) {
                        applied = revertRemedy(engine, applied);
                    }
                    throw new KnownAnswerException(
                            String.format(
                                    "Engine self-test failed: %s on %s computes wrong 3x3"
                                            + " convolutions (%s; remedy tried: %s). CPU: %s."
                                            + " Engine: %s.",
                                    engine,
                                    device,
                                    failures(cases),
                                    applied == null ? "none available" : applied,
                                    CpuFeatures.current().describe(),
                                    describeEngine(engine)));
                }
                LOG.warn("{} on {} is right again after the remedy: {}", engine, device, remedy);
                remedyHelped(engine, device, failed.toString());
            }
        } finally {
            if (manager != null) {
                manager.close();
            }
        }
        Status status =
                new Status(
                        engine,
                        device,
                        remedy,
                        ConvolutionProbe.worst(cases),
                        (System.nanoTime() - started) / 1_000_000);
        LOG.info(
                "Engine self-test: {} on {} passed in {} ms (worst: {}; remedy: {}); CPU: {}",
                engine,
                device,
                status.millis(),
                status.worst(),
                remedy,
                CpuFeatures.current().describe());
        VERIFIED.put(key, status);
        return status;
    }

    /**
     * Whether a record of the fault means anything for {@code engine} here: LibTorch on an AVX-512
     * CPU (elsewhere oneDNN's paths are one and the remedy is all there is), with no limit exported
     * by the user (which wins).
     */
    private static boolean recordApplies(String engine, Device device) {
        return "PyTorch".equals(engine)
                && Device.Type.CPU.equals(device.getDeviceType())
                && CpuFeatures.current().hasAvx512()
                && "none".equals(CpuFeatures.oneDnnIsaLimit())
                && NativeEnv.supported();
    }

    /**
     * What an earlier run recorded about {@code engine}'s convolutions on this CPU ({@link
     * KnownFaults}), when it can still be acted on: before LibTorch's first convolution in this
     * class loader; null otherwise.
     */
    private static KnownFaults.Avoidance knownFault(Engine engine, Device device) {
        String name = engine.getEngineName();
        if (!recordApplies(name, device) || pytorchConvolved) {
            return null;
        }
        return KnownFaults.recorded(name, engine.getVersion()).orElse(null);
    }

    /**
     * {@code -Dinception.faultInjection=faulty-avx512-convolutions} makes the probe see what it saw
     * on AMD Zen 5 (12, 20, 24 and 40 input channels wrong at batch 7) while LibTorch runs its
     * oneDNN kernels at their full ISA; {@code faulty-avx512-and-avx2-convolutions} also under the
     * AVX2 limit, as the real Zen 5 did; so that the learning and the remedies can be shown on any
     * machine. Tests and drills only.
     */
    private static List<ConvolutionProbe.Case> injectFault(
            List<ConvolutionProbe.Case> cases, String engine, Device device, boolean capped) {
        String injected = System.getProperty(FAULT_INJECTION);
        boolean avx512Only = FAULTY_AVX512.equals(injected);
        if (!(avx512Only || FAULTY_AVX512_AND_AVX2.equals(injected))
                || !"PyTorch".equals(engine)
                || !Device.Type.CPU.equals(device.getDeviceType())
                || (avx512Only && (capped || !"none".equals(CpuFeatures.oneDnnIsaLimit())))
                || !PyTorchOneDnn.enabled()) {
            return cases;
        }
        return cases.stream()
                .map(
                        c ->
                                c.batch() > 1 && List.of(12, 20, 24, 40).contains(c.inChannels())
                                        ? new ConvolutionProbe.Case(
                                                c.inChannels(), c.outChannels(), c.batch(), 0.5)
                                        : c)
                .toList();
    }

    /**
     * Applies the remedy for wrong results of {@code engine} on {@code device}, if one exists and
     * is not applied yet: on the PyTorch engine on CPU, switch oneDNN off. Returns what was done,
     * or null when there is nothing (more) to do. Earlier probe results of the engine are
     * forgotten, so the next {@link #verify} probes again.
     */
    public static synchronized String applyRemedy(String engine, Device device) {
        if (!"PyTorch".equals(engine) || !Device.Type.CPU.equals(device.getDeviceType())) {
            return null;
        }
        if (!PyTorchOneDnn.available() || !PyTorchOneDnn.enabled()) {
            return null;
        }
        if (!PyTorchOneDnn.setEnabled(false)) {
            return null;
        }
        VERIFIED.keySet().removeIf(key -> key.startsWith(engine + "/"));
        String remedy = "LibTorch's oneDNN convolutions switched off for this JVM";
        LOG.warn("{}: {} (its own kernels are slower but were verified)", engine, remedy);
        return remedy;
    }

    /**
     * Called when a remedy made wrong results right: on an AVX-512 CPU, records the fault ({@link
     * KnownFaults}) so that later starts avoid it before the first convolution. Seen at LibTorch's
     * full ISA, later starts limit oneDNN to AVX2, much faster than the remedy (oneDNN off); seen
     * under that limit too, later starts switch oneDNN's convolutions off at once.
     */
    public static synchronized void remedyHelped(String engine, Device device, String wrong) {
        if (!recordApplies(engine, device)) {
            return;
        }
        String version = Engine.getEngine(engine).getVersion();
        if (pytorchIsaCapped) {
            KnownFaults.record(
                    engine,
                    version,
                    ISA_VARIABLE + "=AVX2",
                    wrong,
                    KnownFaults.Avoidance.ONEDNN_OFF);
        } else {
            KnownFaults.record(
                    engine, version, "its full ISA", wrong, KnownFaults.Avoidance.AVX2_ISA);
        }
    }

    /**
     * Takes back a remedy of {@link #applyRemedy} that did not make the engine right (so it does
     * not slow the JVM's other models for nothing); returns how to say so.
     */
    public static synchronized String revertRemedy(String engine, String remedy) {
        if ("PyTorch".equals(engine) && PyTorchOneDnn.setEnabled(true)) {
            VERIFIED.keySet().removeIf(key -> key.startsWith(engine + "/"));
            LOG.warn("{}: the remedy did not help and is taken back: {}", engine, remedy);
        }
        return remedy + " (did not help; taken back)";
    }

    /** What the engine reports about itself: version, capabilities and, for PyTorch, oneDNN. */
    public static String describeEngine(String engine) {
        Engine e = Engine.getEngine(engine);
        List<String> capabilities = new ArrayList<>();
        for (String c :
                List.of(
                        StandardCapabilities.CUDA,
                        StandardCapabilities.CUDNN,
                        StandardCapabilities.MKL,
                        StandardCapabilities.MKLDNN,
                        StandardCapabilities.OPENMP)) {
            if (e.hasCapability(c)) {
                capabilities.add(c);
            }
        }
        StringBuilder out = new StringBuilder();
        out.append(engine).append(' ');
        if (OnnxRuntimeConvolution.ENGINE.equals(engine)) {
            // DJL reports the ONNX Runtime it was built against; the library loaded may be newer.
            out.append(ai.onnxruntime.OrtEnvironment.getEnvironment().getVersion());
        } else {
            out.append(e.getVersion());
        }
        out.append(", capabilities ").append(capabilities);
        if ("MXNet".equals(engine)) {
            out.append(", features ")
                    .append(new TreeSet<>(ai.djl.mxnet.jna.JnaUtils.getFeatures()));
        } else if (OnnxRuntimeConvolution.ENGINE.equals(engine)) {
            // ONNX Runtime's own API: DJL does not say which execution providers the build has.
            out.append(", execution providers ")
                    .append(ai.onnxruntime.OrtEnvironment.getAvailableProviders());
        } else if ("PyTorch".equals(engine)) {
            out.append(", oneDNN convolutions ")
                    .append(
                            PyTorchOneDnn.available()
                                    ? (PyTorchOneDnn.enabled() ? "on" : "off")
                                    : "unknown");
        }
        return out.toString();
    }

    private static boolean allPass(List<ConvolutionProbe.Case> cases) {
        return cases.stream().allMatch(ConvolutionProbe.Case::passed);
    }

    private static List<ConvolutionProbe.Case> failures(List<ConvolutionProbe.Case> cases) {
        return cases.stream().filter(c -> !c.passed()).toList();
    }
}
