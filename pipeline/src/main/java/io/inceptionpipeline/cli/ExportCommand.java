package io.inceptionpipeline.cli;

import io.inceptionpipeline.models.inference.ScoringModel;
import io.inceptionpipeline.models.onnx.OnnxExport;
import io.inceptionpipeline.models.onnx.OnnxExportException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code export}: a model with its weights as a file other runtimes run (ONNX). */
@Command(
        name = "export",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Loads a model (known-answer check included) and writes it as ONNX (opset "
                    + OnnxExport.OPSET
                    + "): input 'image'",
            "(N x 3 x S x S float32, normalized as the model's spec says, N dynamic), outputs 'logits'",
            "(absent for the embedding-only inception_resnet_v1) and 'embedding'; BatchNorm folded into",
            "the convolutions; model name, weights digest and preprocessing in the metadata. With",
            "--precision int8 the quantized graph, with fp16 the float16 one (float32 input and outputs,",
            "the fp32 canary outputs in its metadata: the file is checked against them when loaded)."
        })
final class ExportCommand implements Callable<Integer> {

    @Mixin ModelOptions modelOptions;

    @Option(
            names = "--format",
            required = true,
            paramLabel = "FORMAT",
            description = "Output format: onnx (the only one for now).")
    String format;

    @Option(
            names = "--output",
            required = true,
            paramLabel = "FILE",
            description = "File to write, e.g. model.onnx (parent directories are created).")
    Path output;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (!format.trim().toLowerCase(Locale.ROOT).equals("onnx")) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(), "--format must be onnx, got '" + format + "'");
        }
        ScoringModel model = modelOptions.loadOrReport(!modelOptions.belowFp32());
        if (model == null) {
            return Main.EXIT_MODEL_ERROR;
        }
        try (model) {
            long started = System.nanoTime();
            OnnxExport.Summary written;
            try {
                written = model.exportOnnx(output);
            } catch (OnnxExportException | UnsupportedOperationException e) {
                System.err.println(
                        "error: cannot export " + modelOptions.model + ": " + e.getMessage());
                return 1;
            }
            System.err.printf(
                    "exported %s (weights %s) in %d ms: %d nodes, %d bytes, opset %d%n",
                    model.spec().name(),
                    model.weightsDigest(),
                    (System.nanoTime() - started) / 1_000_000,
                    written.nodes(),
                    written.bytes(),
                    OnnxExport.OPSET);
            int size = written.inputSize();
            System.out.println(written.file());
            System.out.printf(
                    "input  %-10s float32 [%s,3,%d,%d]%n",
                    OnnxExport.INPUT, OnnxExport.BATCH, size, size);
            for (Map.Entry<String, Long> out : written.outputs().entrySet()) {
                System.out.printf(
                        "output %-10s float32 [%s,%d]%n",
                        out.getKey(), OnnxExport.BATCH, out.getValue());
            }
        }
        return 0;
    }
}
