package io.inceptionpipeline.models.verify;

import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.inceptionpipeline.models.inference.ScoringModel;
import io.inceptionpipeline.models.inference.WeightsSource;
import io.inceptionpipeline.models.spec.ModelRegistry;
import io.inceptionpipeline.models.spec.ModelSpec;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes the known answers of a model that has no external reference (the shipped Fashion-MNIST
 * model): its outputs on the canary batch with its bundled weights and with seeded weights, as
 * computed here on one engine. The file is reviewed, committed, and from then on every load on
 * every engine must reproduce it ({@code KnownAnswerCheckTest} loads it on both).
 *
 * <pre>
 * mvn -pl models -q test-compile dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt
 * java -cp models/target/classes:models/target/test-classes:$(cat /tmp/cp.txt) \
 *     io.inceptionpipeline.models.verify.CanaryWriter inception_resnet_fmnist MXNet \
 *     models/src/main/resources/io/inceptionpipeline/models/canary/inception_resnet_fmnist.json
 * </pre>
 */
public final class CanaryWriter {

    public static void main(String[] args) throws Exception {
        ModelSpec spec = ModelRegistry.get(args[0]);
        String engine = args[1];
        Path out = Path.of(args[2]);
        if (Files.exists(out)) {
            throw new IllegalStateException(out + " exists: remove it to write new answers");
        }
        JsonArray entries = new JsonArray();
        for (WeightsSource weights :
                new WeightsSource[] {
                    WeightsSource.orDefault(spec, null, Canary.SEED),
                    new WeightsSource.Seeded(Canary.SEED)
                }) {
            try (ScoringModel model =
                    ScoringModel.load(spec, weights, ai.djl.Device.cpu(), engine)) {
                entries.add(
                        entry(
                                model.weightsDigest(),
                                engine,
                                model.numClasses(),
                                model.canaryOutputs()));
            }
        }
        JsonObject canary = new JsonObject();
        canary.addProperty("model", spec.name());
        canary.addProperty("input_size", spec.inputSize());
        canary.addProperty("inputs", "seeded:" + Canary.SEED);
        canary.addProperty(
                "generator",
                "io.inceptionpipeline.models.verify.CanaryWriter (models test code), reviewed run");
        canary.add("entries", entries);
        Files.writeString(out, new Gson().toJson(canary) + "\n");
        System.out.println("wrote " + out);
        System.exit(0);
    }

    private static JsonObject entry(
            String weights, String engine, int classes, KnownAnswerCheck.Outputs outputs) {
        JsonObject entry = new JsonObject();
        entry.addProperty("weights", weights);
        entry.addProperty(
                "computed_by",
                "CanaryWriter on "
                        + engine
                        + " "
                        + ai.djl.engine.Engine.getEngine(engine).getVersion()
                        + ", "
                        + CpuFeatures.current().model());
        entry.addProperty("num_classes", classes);
        entry.add("logits", new Gson().toJsonTree(outputs.logits()));
        entry.add("embedding", new Gson().toJsonTree(outputs.embedding()));
        return entry;
    }
}
