package io.inceptionpipeline.it.deploy;

import static io.inceptionpipeline.it.deploy.DeployFiles.DEPLOY;
import static io.inceptionpipeline.it.deploy.DeployFiles.REPO;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.inceptionpipeline.pipeline.JobOptions;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.config.provider.ConfigProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * deploy/ against the code: every YAML and JSON file parses, and the image, the Kubernetes
 * manifests, the compose cluster, the topic definitions and the dashboard name only jars, classes,
 * job options, Flink and Kafka settings and metrics that exist, so renaming any of them in the code
 * fails here. Nothing is deployed: there is no Docker engine or Kubernetes cluster in CI.
 */
class DeployManifestsTest {

    private static final String USRLIB = "/opt/flink/usrlib/";
    private static final String JOB_JAR = "inception-pipeline-job.jar";
    private static final String CLI_MAIN = "io.inceptionpipeline.cli.Main";
    private static final String PROMETHEUS_FACTORY =
            "org.apache.flink.metrics.prometheus.PrometheusReporterFactory";
    private static final String INCEPTION_METRIC_PREFIX =
            "flink_taskmanager_job_task_operator_inception_";

    private static FlinkConfigKeys flinkKeys;

    @BeforeAll
    static void loadFlinkKeys() throws Exception {
        flinkKeys = FlinkConfigKeys.load();
    }

    // ---------------------------------------------------------------- every file parses

    @Test
    void everyYamlAndJsonFileUnderDeployParses() throws Exception {
        List<Path> yaml = DeployFiles.filesEndingWith(".yaml", ".yml");
        List<Path> json = DeployFiles.filesEndingWith(".json");
        assertThat(yaml.stream().map(p -> DEPLOY.relativize(p).toString().replace('\\', '/')))
                .contains(
                        "compose/compose.yaml",
                        "compose/prometheus.yml",
                        "kubernetes/flink-deployment.yaml",
                        "kubernetes/kafka-topics.yaml",
                        "kubernetes/secrets.example.yaml",
                        "kubernetes/weights-volume.yaml",
                        "kubernetes/pod-monitor.yaml",
                        "grafana/provisioning/datasources/prometheus.yaml",
                        "grafana/provisioning/dashboards/inception.yaml");
        assertThat(json)
                .extracting(p -> p.getFileName().toString())
                .contains("inception-dashboard.json");
        for (Path file : yaml) {
            List<JsonNode> documents = DeployFiles.yamlDocuments(file);
            assertThat(documents).as(file.toString()).isNotEmpty().allMatch(JsonNode::isObject);
        }
        for (Path file : json) {
            assertThat(DeployFiles.json(file).isObject()).as(file.toString()).isTrue();
        }
        for (Path file : DeployFiles.filesEndingWith(".yaml")) {
            if (file.startsWith(DEPLOY.resolve("kubernetes"))) {
                for (JsonNode resource : DeployFiles.yamlDocuments(file)) {
                    assertThat(resource.path("apiVersion").asText())
                            .as(file + " apiVersion")
                            .isNotEmpty();
                    assertThat(resource.path("kind").asText()).as(file + " kind").isNotEmpty();
                    assertThat(resource.at("/metadata/name").asText())
                            .as(file + " name")
                            .isNotEmpty();
                }
            }
        }
    }

    // ---------------------------------------------------------------- the image

    @Test
    void imageIsTheOfficialFlinkJava17ImageWithTheJobJarInUsrlibAsNonRoot() throws Exception {
        List<String> docker =
                DeployFiles.dockerfileInstructions(DEPLOY.resolve("docker/Dockerfile"));
        String flinkVersion = DeployFiles.rootProperty("flink.version");

        assertThat(docker)
                .contains("ARG FLINK_IMAGE=flink:" + flinkVersion + "-scala_2.12-java17")
                .contains("FROM ${FLINK_IMAGE}");
        List<String> users = docker.stream().filter(i -> i.startsWith("USER ")).toList();
        assertThat(users).as("runs as the image's non-root user").last().isEqualTo("USER flink");

        assertThat(DeployFiles.pipelineJars()).contains(JOB_JAR);
        List<String[]> copies = copies(docker);
        assertThat(copies)
                .as("the job jar the build writes, into usrlib")
                .anySatisfy(
                        c -> {
                            assertThat(c[0]).isEqualTo("pipeline/target/" + JOB_JAR);
                            assertThat(c[1]).isEqualTo(USRLIB + JOB_JAR);
                        });
        assertThat(copies)
                .as("DJL and the engines into Flink's lib/")
                .anySatisfy(
                        c -> {
                            assertThat(c[0]).isEqualTo("pipeline/target/flink-lib/*.jar");
                            assertThat(c[1]).isEqualTo("/opt/flink/lib/");
                        });
        List<String> sent =
                Files.readAllLines(DEPLOY.resolve("docker/Dockerfile.dockerignore")).stream()
                        .filter(line -> line.startsWith("!"))
                        .map(line -> line.substring(1))
                        .toList();
        for (String[] copy : copies) {
            if (!copy[0].startsWith("pipeline/target/")) {
                assertThat(REPO.resolve(copy[0])).as("COPY source").exists();
            }
            assertThat(sent).as("the build context includes " + copy[0]).contains(copy[0]);
        }
        assertThat(docker)
                .as("the reporter's port is exposed")
                .anyMatch(i -> i.startsWith("EXPOSE ") && i.contains(reporterPort()));
        assertThat(docker)
                .as("the S3 file system ships in opt/ and must be enabled as a plugin")
                .anyMatch(
                        i ->
                                i.contains(
                                        "cp /opt/flink/opt/flink-s3-fs-hadoop-*.jar /opt/flink/plugins/s3-fs-hadoop/"));
        assertThat(docker)
                .contains(
                        "ENV DJL_CACHE_DIR=/opt/djl/cache ENGINE_CACHE_DIR=/opt/djl/engines"
                                + " PYTORCH_FLAVOR=${PYTORCH_FLAVOR} OMP_WAIT_POLICY=PASSIVE");
    }

    @Test
    void imageWarmUpLoadsEveryEngineThroughTheCli() throws Exception {
        List<String> docker =
                DeployFiles.dockerfileInstructions(DEPLOY.resolve("docker/Dockerfile"));
        String warmUp =
                docker.stream()
                        .filter(i -> i.startsWith("RUN ") && i.contains(CLI_MAIN))
                        .findFirst()
                        .orElseThrow();
        List<String> engines = List.of("mxnet", "pytorch", "onnxruntime");
        assertThat(engines)
                .containsExactlyInAnyOrderElementsOf(
                        io.inceptionpipeline.models.inference.ScoringModel.ENGINES.keySet());
        assertThat(warmUp).contains("for engine in " + String.join(" ", engines) + ";");
        assertThat(warmUp).contains("-cp \"/opt/flink/lib/*:" + USRLIB + JOB_JAR + "\"");
        Class.forName(CLI_MAIN).getMethod("main", String[].class);
        Matcher command = Pattern.compile(Pattern.quote(CLI_MAIN) + " ([^;]*);").matcher(warmUp);
        assertThat(command.find()).isTrue();
        for (String engine : engines) {
            List<String> args =
                    List.of(command.group(1).replace("${engine}", engine).strip().split(" "));
            CommandLine.ParseResult parsed = JobArguments.parse(args);
            assertThat(parsed.subcommand().commandSpec().name()).isEqualTo("score");
            assertThat(parsed.subcommand().matchedOptionValue("--engine", "")).isEqualTo(engine);
        }
    }

    @Test
    void flinkLibFolderTheImageCopiesIsWhatTheBuildWrites() throws Exception {
        assertThat(DeployFiles.pom(REPO.resolve("pipeline/pom.xml"), "//outputDirectory"))
                .as("an output directory of pipeline's build is target/flink-lib")
                .anyMatch(
                        d ->
                                d.replace("${project.build.directory}", "target")
                                        .equals("target/flink-lib"));
    }

    // ---------------------------------------------------------------- Kubernetes

    @Test
    void flinkDeploymentRunsTheJobJarsEntryClassWithArgumentsTheJobAccepts() throws Exception {
        JsonNode deployment = DeployFiles.yaml(DEPLOY.resolve("kubernetes/flink-deployment.yaml"));
        assertThat(deployment.path("apiVersion").asText()).isEqualTo("flink.apache.org/v1beta1");
        assertThat(deployment.path("kind").asText()).isEqualTo("FlinkDeployment");
        String flinkVersion = DeployFiles.rootProperty("flink.version");
        assertThat(deployment.at("/spec/flinkVersion").asText())
                .isEqualTo("v" + flinkVersion.replaceFirst("^(\\d+)\\.(\\d+).*", "$1_$2"));

        JsonNode job = deployment.at("/spec/job");
        assertThat(job.path("jarURI").asText()).isEqualTo("local://" + USRLIB + JOB_JAR);
        String entryClass = job.path("entryClass").asText();
        assertThat(entryClass).isEqualTo(DeployFiles.pipelineJarMainClass(JOB_JAR));
        Method main = Class.forName(entryClass).getMethod("main", String[].class);
        assertThat(Modifier.isStatic(main.getModifiers())).isTrue();

        List<String> args = DeployFiles.strings(job.path("args"));
        JobOptions options = JobArguments.jobOptions(args);
        assertThat(options.scorer().engine())
                .as("current GPUs need the PyTorch engine")
                .isEqualTo("PyTorch");
        assertThat(job.path("parallelism").asInt())
                .as("slots (= TaskManagers at one slot each) for the widest operator")
                .isEqualTo(Math.max(options.fetchParallelism(), options.inferenceParallelism()));
        assertThat(job.path("upgradeMode").asText()).isEqualTo("savepoint");

        // --weights must be on a volume of the common pod template: the TaskManagers load the
        // file and the JobManager, which runs JobMain, checks that it exists.
        JsonNode pod = deployment.at("/spec/podTemplate/spec");
        Set<String> volumes = new HashSet<>();
        pod.path("volumes").forEach(v -> volumes.add(v.path("name").asText()));
        List<String> mounts = new ArrayList<>();
        for (JsonNode mount : mainContainer(pod).path("volumeMounts")) {
            assertThat(volumes)
                    .as("volume of mount " + mount)
                    .contains(mount.path("name").asText());
            mounts.add(mount.path("mountPath").asText());
        }
        List<String> weights = JobArguments.values(args, "--weights");
        assertThat(weights).isNotEmpty();
        for (String file : weights) {
            assertThat(mounts).as("mount holding " + file).anyMatch(m -> file.startsWith(m + "/"));
        }
        JsonNode taskManager = deployment.at("/spec/taskManager/podTemplate/spec");
        assertThat(mainContainer(taskManager).at("/resources/limits/nvidia.com~1gpu").asInt())
                .as("one GPU per TaskManager")
                .isEqualTo(1);
    }

    @Test
    void flinkDeploymentConfigurationUsesRealFlinkKeysAndTheSettingsTheJobNeeds() throws Exception {
        JsonNode deployment = DeployFiles.yaml(DEPLOY.resolve("kubernetes/flink-deployment.yaml"));
        Map<String, String> config =
                DeployFiles.stringMap(deployment.at("/spec/flinkConfiguration"));
        assertThat(flinkKeys.problems(config)).isEmpty();
        assertJobNeeds(config);
        assertThat(config.get("high-availability.type")).isEqualTo("kubernetes");
        assertThat(config.get("taskmanager.numberOfTaskSlots")).isEqualTo("1");
        for (String key :
                List.of(
                        "high-availability.storageDir",
                        "execution.checkpointing.dir",
                        "execution.checkpointing.savepoint-dir")) {
            assertThat(config.get(key)).as(key).startsWith("s3://");
        }
        JsonNode pod = deployment.at("/spec/podTemplate/spec");
        assertThat(pod.at("/securityContext/runAsNonRoot").asBoolean()).isTrue();
        assertThat(mainContainer(pod).path("ports"))
                .anySatisfy(
                        p ->
                                assertThat(p.path("containerPort").asText())
                                        .isEqualTo(reporterPort()));
    }

    @Test
    void flinkDeploymentSecretsAndKafkaSecurityResolve() throws Exception {
        JsonNode deployment = DeployFiles.yaml(DEPLOY.resolve("kubernetes/flink-deployment.yaml"));
        Map<String, Set<String>> secrets = new LinkedHashMap<>();
        for (JsonNode secret :
                DeployFiles.yamlDocuments(DEPLOY.resolve("kubernetes/secrets.example.yaml"))) {
            Set<String> keys = new HashSet<>();
            secret.path("stringData").fieldNames().forEachRemaining(keys::add);
            secrets.put(secret.at("/metadata/name").asText(), keys);
        }
        Set<String> environment = new HashSet<>();
        for (JsonNode variable :
                mainContainer(deployment.at("/spec/podTemplate/spec")).path("env")) {
            environment.add(variable.path("name").asText());
            JsonNode ref = variable.at("/valueFrom/secretKeyRef");
            if (!ref.isMissingNode()) {
                assertThat(secrets)
                        .as("secret of " + variable.path("name").asText())
                        .containsKey(ref.path("name").asText());
                assertThat(secrets.get(ref.path("name").asText()))
                        .contains(ref.path("key").asText());
            }
        }
        assertThat(environment).contains("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY");

        List<String> args = DeployFiles.strings(deployment.at("/spec/job/args"));
        Map<String, String> kafka = JobArguments.jobOptions(args).kafkaProperties();
        assertThat(kafkaClientProblems(kafka)).isEmpty();
        assertThat(kafka)
                .containsEntry("security.protocol", "SASL_SSL")
                .containsKey("sasl.jaas.config");
        assertThat(kafka.get("sasl.jaas.config"))
                .as("the whole JAAS line survives KEY=VALUE splitting")
                .startsWith("org.apache.kafka.common.security.scram.ScramLoginModule required ")
                .endsWith("password=\"${env:KAFKA_PASSWORD}\";");
        Matcher reference =
                Pattern.compile("\\$\\{env:([A-Z_]+)}").matcher(String.join(" ", kafka.values()));
        while (reference.find()) {
            assertThat(environment)
                    .as("env var the Kafka config reads")
                    .contains(reference.group(1));
        }
    }

    // ---------------------------------------------------------------- compose

    @Test
    void composeClusterUsesRealFlinkKeysBrokerSettingsAndJobArguments() throws Exception {
        Path composeDir = DEPLOY.resolve("compose");
        JsonNode services = DeployFiles.yaml(composeDir.resolve("compose.yaml")).path("services");
        assertThat(services.fieldNames())
                .toIterable()
                .contains(
                        "kafka",
                        "topics",
                        "jobmanager",
                        "taskmanager",
                        "submit",
                        "produce",
                        "prometheus",
                        "grafana");

        for (String name : List.of("jobmanager", "taskmanager", "submit", "produce")) {
            JsonNode service = services.path(name);
            assertThat(
                            composeDir
                                    .resolve(service.at("/build/context").asText())
                                    .resolve(service.at("/build/dockerfile").asText())
                                    .normalize())
                    .as(name + " builds the image")
                    .isEqualTo(DEPLOY.resolve("docker/Dockerfile").normalize());
        }
        for (String name : List.of("jobmanager", "taskmanager")) {
            Map<String, String> config =
                    DeployFiles.flinkProperties(
                            services.at("/" + name + "/environment/FLINK_PROPERTIES").asText());
            assertThat(flinkKeys.problems(config)).as(name).isEmpty();
            assertJobNeeds(config);
        }
        Map<String, String> client =
                DeployFiles.flinkProperties(
                        services.at("/submit/environment/FLINK_PROPERTIES").asText());
        assertThat(flinkKeys.problems(client)).isEmpty();
        assertThat(client).containsEntry("rest.address", "jobmanager");

        List<String> submit = DeployFiles.strings(services.at("/submit/command"));
        assertThat(submit.subList(0, 4))
                .containsExactly("flink", "run", "--detached", USRLIB + JOB_JAR);
        List<String> jobArgs = submit.subList(4, submit.size());
        JobArguments.jobOptions(jobArgs);
        for (String root : JobArguments.values(jobArgs, "--allowed-root")) {
            for (String name : List.of("taskmanager", "submit")) {
                assertThat(DeployFiles.strings(services.at("/" + name + "/volumes")))
                        .as(name + " mounts " + root)
                        .anyMatch(v -> v.split(":")[1].equals(root));
            }
        }

        List<String> produce = DeployFiles.strings(services.at("/produce/command"));
        assertThat(produce.subList(0, 4))
                .containsExactly("java", "-cp", "/opt/flink/lib/*:" + USRLIB + JOB_JAR, CLI_MAIN);
        CommandLine.ParseResult parsed = JobArguments.parse(produce.subList(4, produce.size()));
        assertThat(parsed.subcommand().commandSpec().name()).isEqualTo("produce");
        assertThat(parsed.subcommand().matchedOptionValue("--topic", ""))
                .isEqualTo(JobArguments.jobOptions(jobArgs).inputTopic());

        // The broker: apache/kafka of the project's Kafka version, KAFKA_* = broker settings.
        assertThat(services.at("/kafka/image").asText())
                .isEqualTo("apache/kafka:" + DeployFiles.rootProperty("kafka.version"));
        Set<String> brokerKeys = kafka.server.KafkaConfig.configDef().names();
        Map<String, String> kafkaEnv = DeployFiles.stringMap(services.at("/kafka/environment"));
        assertThat(kafkaEnv).isNotEmpty();
        for (String variable : kafkaEnv.keySet()) {
            String key = variable.substring("KAFKA_".length()).toLowerCase().replace("_", ".");
            assertThat(brokerKeys.contains(key)).as(variable + ": broker setting " + key).isTrue();
        }

        // Every host path a service mounts or reads exists.
        services.fields()
                .forEachRemaining(
                        s ->
                                DeployFiles.strings(s.getValue().path("volumes")).stream()
                                        .map(v -> v.split(":")[0])
                                        .filter(source -> source.startsWith("."))
                                        .forEach(
                                                source ->
                                                        assertThat(
                                                                        composeDir
                                                                                .resolve(source)
                                                                                .normalize())
                                                                .as(
                                                                        s.getKey()
                                                                                + " mounts "
                                                                                + source)
                                                                .exists()));
        List<String> topics = DeployFiles.strings(services.at("/topics/command"));
        assertThat(topics).containsExactly("bash", "/topics/create-topics.sh", "kafka:19092", "1");
    }

    // ---------------------------------------------------------------- topics

    @Test
    void topicsAreTheJobsTopicsWithRealTopicConfigsEverywhere() throws Exception {
        Set<String> topicConfigs = constants(TopicConfig.class, "_CONFIG");

        Map<String, Integer> strimzi = new LinkedHashMap<>();
        for (JsonNode topic :
                DeployFiles.yamlDocuments(DEPLOY.resolve("kubernetes/kafka-topics.yaml"))) {
            assertThat(topic.path("kind").asText()).isEqualTo("KafkaTopic");
            strimzi.put(topic.at("/metadata/name").asText(), topic.at("/spec/partitions").asInt());
            topic.at("/spec/config")
                    .fieldNames()
                    .forEachRemaining(
                            k ->
                                    assertThat(topicConfigs.contains(k))
                                            .as("topic config " + k)
                                            .isTrue());
        }

        String script = Files.readString(DEPLOY.resolve("topics/create-topics.sh"));
        Map<String, Integer> scripted = new LinkedHashMap<>();
        Matcher create = Pattern.compile("(?m)^create ([a-z-]+) (\\d+)(.*)$").matcher(script);
        while (create.find()) {
            scripted.put(create.group(1), Integer.parseInt(create.group(2)));
        }
        Matcher config = Pattern.compile("--config ([a-z.]+)=").matcher(script);
        int configs = 0;
        while (config.find()) {
            configs++;
            assertThat(topicConfigs.contains(config.group(1)))
                    .as("topic config " + config.group(1))
                    .isTrue();
        }
        assertThat(configs).isGreaterThanOrEqualTo(4);
        assertThat(scripted).isEqualTo(strimzi);

        JsonNode services =
                DeployFiles.yaml(DEPLOY.resolve("compose/compose.yaml")).path("services");
        List<String> composeArgs = DeployFiles.strings(services.at("/submit/command"));
        List<String> kubernetesArgs =
                DeployFiles.strings(
                        DeployFiles.yaml(DEPLOY.resolve("kubernetes/flink-deployment.yaml"))
                                .at("/spec/job/args"));
        for (List<String> args :
                List.of(composeArgs.subList(4, composeArgs.size()), kubernetesArgs)) {
            JobOptions options = JobArguments.jobOptions(args);
            assertThat(strimzi.keySet())
                    .containsExactlyInAnyOrder(
                            options.inputTopic(), options.outputTopic(), options.deadLetterTopic());
            assertThat(strimzi.get(options.inputTopic()))
                    .as("a partition per fetch subtask at least")
                    .isGreaterThanOrEqualTo(options.fetchParallelism());
        }
    }

    // ---------------------------------------------------------------- metrics and dashboard

    @Test
    void dashboardQueriesExactlyTheListedMetrics() throws Exception {
        JsonNode dashboard = DeployFiles.json(DEPLOY.resolve("grafana/inception-dashboard.json"));
        Set<String> queried = new TreeSet<>();
        Pattern metric = Pattern.compile("\\bflink_[A-Za-z0-9_]+");
        List<String> expressions = dashboard.findValuesAsText("expr");
        assertThat(expressions).hasSizeGreaterThanOrEqualTo(12);
        expressions.addAll(dashboard.findValuesAsText("definition"));
        for (String expression : expressions) {
            Matcher m = metric.matcher(expression);
            while (m.find()) {
                queried.add(m.group());
            }
        }
        assertThat(queried).isEqualTo(new TreeSet<>(listedMetrics()));
    }

    @Test
    void flinksOwnMetricNamesMatchFlinkAndTheKafkaConnector() throws Exception {
        Set<String> builtIn = new TreeSet<>();
        builtIn.add(
                "flink_taskmanager_job_task_"
                        + constant(
                                "org.apache.flink.runtime.metrics.MetricNames",
                                "TASK_BACK_PRESSURED_TIME"));
        builtIn.add(
                "flink_jobmanager_job_"
                        + constant(
                                "org.apache.flink.runtime.checkpoint.DefaultCheckpointStatsTracker",
                                "LATEST_COMPLETED_CHECKPOINT_DURATION_METRIC"));
        String readerMetrics =
                "org.apache.flink.connector.kafka.source.metrics.KafkaSourceReaderMetrics";
        builtIn.add(
                prometheusName(
                        "flink_taskmanager_job_task_operator_"
                                + constant(readerMetrics, "KAFKA_SOURCE_READER_METRIC_GROUP")
                                + "_"
                                + constant(readerMetrics, "KAFKA_CONSUMER_METRIC_GROUP")
                                + "_"
                                + new org.apache.kafka.clients.consumer.internals
                                                .FetchMetricsRegistry()
                                        .recordsLagMax.name()));
        Set<String> listed = new TreeSet<>(listedMetrics());
        listed.removeIf(name -> name.startsWith(INCEPTION_METRIC_PREFIX));
        assertThat(listed).isEqualTo(builtIn);
    }

    /**
     * The job's own registration code, run against a metric group that names each metric as Flink's
     * Prometheus reporter does (scope and group names joined by '_', a key-value group's key in the
     * name and its value a label): every inception metric the dashboard lists must come out of it.
     */
    @Test
    void inceptionMetricNamesAreRegisteredByTheJob() throws Exception {
        Set<String> registered = new TreeSet<>();
        org.apache.flink.metrics.MetricGroup operator =
                new PrometheusNames("flink_taskmanager_job_task_operator_", registered);
        io.inceptionpipeline.operators.metrics.ScoringMetrics.register(operator, 0);
        io.inceptionpipeline.operators.fetch.FetchFunction.registerMetrics(
                operator, new java.util.concurrent.atomic.AtomicInteger());
        io.inceptionpipeline.operators.metrics.FailureMetrics.imagesFailed(
                operator, "FETCH", "NOT_FOUND");
        List<String> listed =
                listedMetrics().stream()
                        .filter(n -> n.startsWith(INCEPTION_METRIC_PREFIX))
                        .toList();
        assertThat(listed).isNotEmpty();
        assertThat(registered).containsAll(listed);
        // and the check can fail: a name the job does not register is not in the set
        assertThat(registered).doesNotContain(INCEPTION_METRIC_PREFIX + "imagesScoredTotal");
    }

    /** Records the Prometheus name of every metric registered through it. */
    private static final class PrometheusNames
            extends org.apache.flink.metrics.groups.UnregisteredMetricsGroup {
        private final String prefix;
        private final Set<String> names;

        PrometheusNames(String prefix, Set<String> names) {
            this.prefix = prefix;
            this.names = names;
        }

        @Override
        public org.apache.flink.metrics.MetricGroup addGroup(String name) {
            return new PrometheusNames(prefix + prometheusName(name) + "_", names);
        }

        @Override
        public org.apache.flink.metrics.MetricGroup addGroup(String key, String value) {
            return new PrometheusNames(prefix + prometheusName(key) + "_", names);
        }

        private <T> T named(String name, T metric) {
            names.add(prefix + prometheusName(name));
            return metric;
        }

        @Override
        public org.apache.flink.metrics.Counter counter(String name) {
            return named(name, new org.apache.flink.metrics.SimpleCounter());
        }

        @Override
        public <C extends org.apache.flink.metrics.Counter> C counter(String name, C counter) {
            return named(name, counter);
        }

        @Override
        public <T, G extends org.apache.flink.metrics.Gauge<T>> G gauge(String name, G gauge) {
            return named(name, gauge);
        }

        @Override
        public <H extends org.apache.flink.metrics.Histogram> H histogram(
                String name, H histogram) {
            return named(name, histogram);
        }

        @Override
        public <M extends org.apache.flink.metrics.Meter> M meter(String name, M meter) {
            return named(name, meter);
        }
    }

    @Test
    void prometheusScrapesTheReporterPort() throws Exception {
        JsonNode prometheus = DeployFiles.yaml(DEPLOY.resolve("compose/prometheus.yml"));
        assertThat(prometheus.findValuesAsText("port")).containsOnly(reporterPort());
        JsonNode datasources =
                DeployFiles.yaml(
                        DEPLOY.resolve("grafana/provisioning/datasources/prometheus.yaml"));
        assertThat(datasources.at("/datasources/0/type").asText()).isEqualTo("prometheus");
    }

    // ---------------------------------------------------------------- the checks can fail

    @Test
    void checksRejectUnknownDeprecatedAndMistypedSettings() throws Exception {
        assertThat(flinkKeys.problems(Map.of("state.checkpoints.dir", "s3://b/c")))
                .containsExactly(
                        "state.checkpoints.dir: deprecated, use execution.checkpointing.dir");
        assertThat(flinkKeys.problems(Map.of("taskmanager.numberOfTaskSlot", "1")))
                .containsExactly("taskmanager.numberOfTaskSlot: not a Flink configuration key");
        assertThat(flinkKeys.problems(Map.of("taskmanager.memory.task.off-heap.size", "lots")))
                .singleElement()
                .asString()
                .contains("invalid");
        assertThat(
                        flinkKeys.problems(
                                Map.of(
                                        "metrics.reporter.prom.factory.class",
                                        PROMETHEUS_FACTORY,
                                        "metrics.reporter.prom.prot",
                                        "9249")))
                .singleElement()
                .asString()
                .contains("not an option of " + PROMETHEUS_FACTORY);
        assertThat(
                        flinkKeys.problems(
                                Map.of(
                                        "metrics.reporter.prom.factory.class",
                                        "org.example.NoSuchFactory")))
                .singleElement()
                .asString()
                .contains("not found");

        assertThatThrownBy(
                        () ->
                                JobArguments.jobOptions(
                                        List.of(
                                                "--bootstrap-servers",
                                                "k:9092",
                                                "--batch-sise",
                                                "8")))
                .isInstanceOf(CommandLine.UnmatchedArgumentException.class);
        assertThatThrownBy(() -> JobArguments.jobOptions(List.of("--input-topic", "a")))
                .isInstanceOf(CommandLine.MissingParameterException.class);
        assertThatThrownBy(
                        () ->
                                JobArguments.jobOptions(
                                        List.of(
                                                "--bootstrap-servers",
                                                "k:9092",
                                                "--model",
                                                "resnet50")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(kafkaClientProblems(Map.of("sasl.mechanisms", "PLAIN")))
                .containsExactly("sasl.mechanisms: not a Kafka client setting");
    }

    // ---------------------------------------------------------------- helpers

    /** The settings every cluster of the job needs, whatever the platform. */
    private static void assertJobNeeds(Map<String, String> config) {
        assertThat(config.get("classloader.parent-first-patterns.additional"))
                .as("DJL, ONNX Runtime and JNA load parent-first from lib/")
                .contains("ai.djl.")
                .contains("ai.onnxruntime.")
                .contains("com.sun.jna.");
        assertThat(config.get("env.java.opts.all")).contains("-Dai.djl.offline=true");
        assertThat(config.get("metrics.reporter.prom.factory.class")).isEqualTo(PROMETHEUS_FACTORY);
        assertThat(config.get("metrics.reporter.prom.port")).isEqualTo(reporterPort());
    }

    private static String reporterPort() {
        return "9249";
    }

    private static JsonNode mainContainer(JsonNode podSpec) {
        for (JsonNode container : podSpec.path("containers")) {
            if (container.path("name").asText().equals("flink-main-container")) {
                return container;
            }
        }
        throw new AssertionError("no flink-main-container in " + podSpec);
    }

    private static List<String[]> copies(List<String> docker) {
        List<String[]> copies = new ArrayList<>();
        for (String instruction : docker) {
            if (instruction.startsWith("COPY ")) {
                List<String> words = new ArrayList<>(List.of(instruction.split(" ")));
                words.removeIf(w -> w.equals("COPY") || w.startsWith("--"));
                copies.add(new String[] {words.get(0), words.get(words.size() - 1)});
            }
        }
        return copies;
    }

    private static List<String> listedMetrics() throws Exception {
        return Files.readAllLines(DEPLOY.resolve("grafana/metrics.txt")).stream()
                .map(String::strip)
                .filter(l -> !l.isEmpty() && !l.startsWith("#"))
                .toList();
    }

    /** Kafka client settings that no producer, consumer or admin client declares. */
    private static List<String> kafkaClientProblems(Map<String, String> properties) {
        Set<String> known = new HashSet<>(ProducerConfig.configNames());
        known.add(AbstractConfig.CONFIG_PROVIDERS_CONFIG); // read by every client's AbstractConfig
        known.addAll(ConsumerConfig.configNames());
        known.addAll(AdminClientConfig.configNames());
        Set<String> providers =
                new LinkedHashSet<>(
                        List.of(properties.getOrDefault("config.providers", "").split(",")));
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, String> e : properties.entrySet()) {
            Matcher provider =
                    Pattern.compile("config\\.providers\\.([^.]+)\\.(class|param\\..+)")
                            .matcher(e.getKey());
            if (provider.matches() && providers.contains(provider.group(1))) {
                if (provider.group(2).equals("class")) {
                    try {
                        if (!ConfigProvider.class.isAssignableFrom(Class.forName(e.getValue()))) {
                            problems.add(e.getKey() + ": not a ConfigProvider");
                        }
                    } catch (ClassNotFoundException notFound) {
                        problems.add(e.getKey() + ": class " + e.getValue() + " not found");
                    }
                }
            } else if (!known.contains(e.getKey())) {
                problems.add(e.getKey() + ": not a Kafka client setting");
            }
        }
        return problems;
    }

    private static Set<String> constants(Class<?> holder, String suffix)
            throws IllegalAccessException {
        Set<String> values = new HashSet<>();
        for (Field field : holder.getFields()) {
            if (field.getName().endsWith(suffix) && field.getType() == String.class) {
                values.add((String) field.get(null));
            }
        }
        return values;
    }

    private static String constant(String className, String field) throws Exception {
        Field f = Class.forName(className).getDeclaredField(field);
        f.setAccessible(true);
        return (String) f.get(null);
    }

    /** Flink's Prometheus reporter replaces every character outside [a-zA-Z0-9:_] with '_'. */
    private static String prometheusName(String name) {
        return name.replaceAll("[^a-zA-Z0-9:_]", "_");
    }
}
