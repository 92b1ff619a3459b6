package io.inceptionpipeline.models.verify;

import java.io.IOException;

/**
 * An engine computed something other than the known answer: a model loaded this way would give
 * wrong predictions, so it is refused. Commands exit with code 3; the streaming job's inference
 * subtask fails in {@code open()}.
 */
public final class KnownAnswerException extends IOException {

    /** What a user can do about it, appended to every message. */
    public static final String WHAT_TO_DO =
            "The engine computes wrong results on this machine, so it is not used: no prediction"
                    + " is made with wrong numbers. What to do: choose another --engine (--engine"
                    + " auto takes the fastest one that passes here); where oneDNN's AVX-512"
                    + " kernels are at fault, exporting ONEDNN_MAX_CPU_ISA=AVX2 before starting"
                    + " may avoid it (it did not for LibTorch 2.7.1 on an AMD EPYC Zen 5); please"
                    + " report this message, whose CPU line identifies the machine.";

    public KnownAnswerException(String message) {
        super(message + " " + WHAT_TO_DO);
    }
}
