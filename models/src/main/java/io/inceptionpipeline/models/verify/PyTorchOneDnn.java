package io.inceptionpipeline.models.verify;

import com.sun.jna.Function;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import java.nio.file.Path;

/**
 * LibTorch's switch for oneDNN ({@code torch.backends.mkldnn.enabled} in Python): {@code
 * at::globalContext().setUserEnabledMkldnn(bool)}, which DJL does not expose, called through JNA on
 * the symbols {@code libtorch_cpu} exports (Itanium C++ ABI: the {@code this} pointer is the first
 * argument). With oneDNN off, LibTorch's CPU convolutions take its own im2col + GEMM path. The flag
 * is read at every convolution, so switching it off affects every PyTorch model of the JVM at once,
 * from its next batch on. Linux and macOS only; elsewhere {@link #available()} is false.
 */
final class PyTorchOneDnn {

    private static final String GLOBAL_CONTEXT = "_ZN2at13globalContextEv";
    private static final String IS_ENABLED = "_ZNK2at7Context17userEnabledMkldnnEv";
    private static final String SET_ENABLED = "_ZN2at7Context20setUserEnabledMkldnnEb";

    private static NativeLibrary library;
    private static boolean looked;

    private PyTorchOneDnn() {}

    /** Whether the switch can be read and set (the PyTorch engine must be loaded). */
    static synchronized boolean available() {
        return library() != null;
    }

    /** Whether LibTorch uses oneDNN for convolutions; false if unknown. */
    static synchronized boolean enabled() {
        NativeLibrary lib = library();
        if (lib == null) {
            return false;
        }
        Object on = lib.getFunction(IS_ENABLED).invoke(Boolean.class, new Object[] {context(lib)});
        return Boolean.TRUE.equals(on);
    }

    /** Turns oneDNN on or off for LibTorch's CPU operators; returns whether it took effect. */
    static synchronized boolean setEnabled(boolean on) {
        NativeLibrary lib = library();
        if (lib == null) {
            return false;
        }
        lib.getFunction(SET_ENABLED).invokeVoid(new Object[] {context(lib), on});
        return enabled() == on;
    }

    private static Pointer context(NativeLibrary lib) {
        Function global = lib.getFunction(GLOBAL_CONTEXT);
        return global.invokePointer(new Object[0]);
    }

    private static NativeLibrary library() {
        if (!looked) {
            looked = true;
            try {
                String dir = ai.djl.pytorch.jni.LibUtils.getLibtorchPath();
                NativeLibrary lib =
                        NativeLibrary.getInstance(
                                Path.of(dir, System.mapLibraryName("torch_cpu")).toString());
                lib.getFunction(GLOBAL_CONTEXT);
                lib.getFunction(IS_ENABLED);
                lib.getFunction(SET_ENABLED);
                library = lib;
            } catch (RuntimeException | LinkageError e) {
                library = null;
            }
        }
        return library;
    }
}
