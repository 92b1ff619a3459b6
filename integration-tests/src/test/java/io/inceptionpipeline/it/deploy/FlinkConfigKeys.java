package io.inceptionpipeline.it.deploy;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import org.apache.flink.configuration.ConfigConstants;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.FallbackKey;
import org.apache.flink.configuration.MetricOptions;
import org.apache.flink.metrics.reporter.MetricReporterFactory;

/**
 * Every configuration key Flink itself declares: the {@link ConfigOption} constants of each {@code
 * *Options} class in flink-core's configuration package, read by reflection from the Flink on the
 * class path, so a key renamed or removed by a Flink upgrade is reported, and a deprecated key is
 * reported with its replacement. Reporter keys ({@code metrics.reporter.<name>.<option>}) are
 * checked against {@link MetricOptions}' per-reporter options and the {@code ARG_*} constants of
 * the reporter's factory, which must be on the class path.
 *
 * <pre>{@code
 * List<String> problems = FlinkConfigKeys.load().problems(Map.of("state.checkpoints.dir", "s3://b/c"));
 * // ["state.checkpoints.dir: deprecated, use execution.checkpointing.dir"]
 * }</pre>
 */
final class FlinkConfigKeys {

    private static final String REPORTER_PREFIX = ConfigConstants.METRICS_REPORTER_PREFIX;

    private final Map<String, ConfigOption<?>> options = new HashMap<>();
    private final Map<String, String> replacements = new HashMap<>();
    private final Map<String, ConfigOption<?>> reporterOptions = new HashMap<>();

    private FlinkConfigKeys() {}

    static FlinkConfigKeys load() throws Exception {
        FlinkConfigKeys keys = new FlinkConfigKeys();
        Path flinkCore =
                Path.of(
                        CoreOptions.class
                                .getProtectionDomain()
                                .getCodeSource()
                                .getLocation()
                                .toURI());
        try (JarFile jar = new JarFile(flinkCore.toFile())) {
            Enumeration<JarEntry> entries = jar.entries();
            while (entries.hasMoreElements()) {
                String name = entries.nextElement().getName();
                if (name.matches("org/apache/flink/configuration/[A-Za-z]+Options\\.class")) {
                    keys.addAll(Class.forName(name.replace('/', '.').replace(".class", "")));
                }
            }
        }
        if (keys.options.size() < 500) {
            throw new IllegalStateException(
                    "Found only " + keys.options.size() + " Flink options in " + flinkCore);
        }
        return keys;
    }

    private void addAll(Class<?> holder) throws IllegalAccessException {
        for (Field field : holder.getDeclaredFields()) {
            if (!Modifier.isStatic(field.getModifiers())
                    || !ConfigOption.class.isAssignableFrom(field.getType())) {
                continue;
            }
            field.setAccessible(true);
            ConfigOption<?> option = (ConfigOption<?>) field.get(null);
            if (holder == MetricOptions.class && !option.key().startsWith("metrics.")) {
                reporterOptions.put(option.key(), option); // relative: factory.class, interval, ...
                continue;
            }
            options.put(option.key(), option);
            for (FallbackKey fallback : option.fallbackKeys()) {
                replacements.putIfAbsent(fallback.getKey(), option.key());
            }
        }
    }

    int size() {
        return options.size();
    }

    /** What is wrong with a Flink configuration: unknown or deprecated keys, unparsable values. */
    List<String> problems(Map<String, String> config) {
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, String> entry : config.entrySet()) {
            String key = entry.getKey();
            String value = entry.getValue();
            if (key.startsWith(REPORTER_PREFIX)) {
                reporterProblem(key, value, config).ifPresent(problems::add);
                continue;
            }
            ConfigOption<?> option = options.get(key);
            if (option == null) {
                problems.add(
                        replacements.containsKey(key)
                                ? key + ": deprecated, use " + replacements.get(key)
                                : key + ": not a Flink configuration key");
                continue;
            }
            valueProblem(option, key, value).ifPresent(problems::add);
        }
        return problems;
    }

    private Optional<String> reporterProblem(String key, String value, Map<String, String> config) {
        String rest = key.substring(REPORTER_PREFIX.length());
        int dot = rest.indexOf('.');
        if (dot <= 0) {
            return Optional.of(key + ": no reporter name");
        }
        String reporter = rest.substring(0, dot);
        String suffix = rest.substring(dot + 1);
        ConfigOption<?> option = reporterOptions.get(suffix);
        if (option != null) {
            if (option == MetricOptions.REPORTER_FACTORY_CLASS) {
                return factoryProblem(key, value);
            }
            return valueProblem(option, key, value);
        }
        String factory =
                config.get(
                        REPORTER_PREFIX
                                + reporter
                                + "."
                                + MetricOptions.REPORTER_FACTORY_CLASS.key());
        if (factory == null) {
            return Optional.of(key + ": reporter " + reporter + " has no factory.class");
        }
        Set<String> arguments;
        try {
            arguments = factoryArguments(Class.forName(factory));
        } catch (ReflectiveOperationException e) {
            return Optional.of(key + ": cannot read " + factory + ": " + e);
        }
        return arguments.contains(suffix)
                ? Optional.empty()
                : Optional.of(
                        key + ": not an option of " + factory + " (it reads " + arguments + ")");
    }

    private static Optional<String> factoryProblem(String key, String className) {
        try {
            Class<?> factory = Class.forName(className);
            return MetricReporterFactory.class.isAssignableFrom(factory)
                    ? Optional.empty()
                    : Optional.of(key + ": " + className + " is no MetricReporterFactory");
        } catch (ClassNotFoundException e) {
            return Optional.of(key + ": class " + className + " not found");
        }
    }

    /** A reporter factory's own options: its {@code ARG_*} string constants. */
    private static Set<String> factoryArguments(Class<?> factory) throws IllegalAccessException {
        Set<String> arguments = new HashSet<>();
        for (Field field : factory.getDeclaredFields()) {
            if (Modifier.isStatic(field.getModifiers())
                    && field.getType() == String.class
                    && field.getName().startsWith("ARG_")) {
                field.setAccessible(true);
                arguments.add((String) field.get(null));
            }
        }
        return arguments;
    }

    private static Optional<String> valueProblem(ConfigOption<?> option, String key, String value) {
        try {
            Configuration configuration = Configuration.fromMap(Map.of(option.key(), value));
            configuration.get(option);
            return Optional.empty();
        } catch (RuntimeException e) {
            return Optional.of(key + ": value '" + value + "' invalid: " + e.getMessage());
        }
    }
}
