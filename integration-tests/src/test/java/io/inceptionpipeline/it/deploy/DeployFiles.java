package io.inceptionpipeline.it.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.xpath.XPathConstants;
import javax.xml.xpath.XPathFactory;
import org.w3c.dom.Document;
import org.w3c.dom.NodeList;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

/** Reads the repository's deploy/ files and the build facts they must agree with. */
final class DeployFiles {

    static final Path REPO = Path.of(System.getProperty("repo.root", "..")).toAbsolutePath();
    static final Path DEPLOY = REPO.resolve("deploy");

    private static final ObjectMapper JSON = new ObjectMapper();

    private DeployFiles() {}

    /**
     * Every document of a (multi-document) YAML file, read with SnakeYAML (which Jackson's YAML
     * module uses underneath) so that anchors, aliases and merge keys ({@code <<: *x}) resolve as
     * Docker Compose and Kubernetes resolve them.
     */
    static List<JsonNode> yamlDocuments(Path file) throws IOException {
        List<JsonNode> documents = new ArrayList<>();
        try (Reader reader = Files.newBufferedReader(file)) {
            for (Object document : new Yaml(new LoaderOptions()).loadAll(reader)) {
                if (document != null) {
                    documents.add(JSON.valueToTree(document));
                }
            }
        } catch (RuntimeException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
        return documents;
    }

    static JsonNode yaml(Path file) throws IOException {
        List<JsonNode> documents = yamlDocuments(file);
        if (documents.size() != 1) {
            throw new IOException(file + " holds " + documents.size() + " documents, expected 1");
        }
        return documents.get(0);
    }

    static JsonNode json(Path file) throws IOException {
        return JSON.readTree(file.toFile());
    }

    /** Every file under deploy/ whose name ends with one of the extensions. */
    static List<Path> filesEndingWith(String... extensions) throws IOException {
        try (Stream<Path> walk = Files.walk(DEPLOY)) {
            return walk.filter(Files::isRegularFile)
                    .filter(
                            p -> {
                                String name = p.getFileName().toString();
                                for (String extension : extensions) {
                                    if (name.endsWith(extension)) {
                                        return true;
                                    }
                                }
                                return false;
                            })
                    .sorted()
                    .toList();
        }
    }

    /** A YAML sequence or scalar as strings. */
    static List<String> strings(JsonNode node) {
        List<String> values = new ArrayList<>();
        if (node.isArray()) {
            node.forEach(n -> values.add(n.asText()));
        } else if (!node.isMissingNode() && !node.isNull()) {
            values.add(node.asText());
        }
        return values;
    }

    /** A YAML mapping of scalars as strings (numbers and booleans as written). */
    static Map<String, String> stringMap(JsonNode node) {
        Map<String, String> map = new LinkedHashMap<>();
        node.fields().forEachRemaining(e -> map.put(e.getKey(), e.getValue().asText()));
        return map;
    }

    /**
     * Lines of {@code key: value}, split at the first colon, as the Flink image's entrypoint reads
     * {@code FLINK_PROPERTIES}.
     */
    static Map<String, String> flinkProperties(String text) {
        Map<String, String> map = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            String trimmed = line.strip();
            if (trimmed.isEmpty()) {
                continue;
            }
            int colon = trimmed.indexOf(':');
            if (colon < 0) {
                throw new IllegalArgumentException("Not 'key: value': " + line);
            }
            map.put(trimmed.substring(0, colon).strip(), trimmed.substring(colon + 1).strip());
        }
        return map;
    }

    /** Text values of an XPath over a POM (namespace-free: local names). */
    static List<String> pom(Path pom, String xpath) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        Document document = factory.newDocumentBuilder().parse(pom.toFile());
        NodeList nodes =
                (NodeList)
                        XPathFactory.newInstance()
                                .newXPath()
                                .evaluate(xpath, document, XPathConstants.NODESET);
        List<String> values = new ArrayList<>();
        for (int i = 0; i < nodes.getLength(); i++) {
            values.add(nodes.item(i).getTextContent().strip());
        }
        return values;
    }

    static String rootProperty(String name) throws Exception {
        List<String> values = pom(REPO.resolve("pom.xml"), "/project/properties/" + name);
        if (values.size() != 1) {
            throw new IllegalStateException("pom.xml has no property " + name);
        }
        return values.get(0);
    }

    /** Jar names ({@code finalName}.jar) that pipeline's shade executions write to its target/. */
    static List<String> pipelineJars() throws Exception {
        return pom(
                        REPO.resolve("pipeline/pom.xml"),
                        "//plugin[artifactId='maven-shade-plugin']//execution/configuration/finalName")
                .stream()
                .map(name -> name + ".jar")
                .toList();
    }

    /** The main class in the manifest of the shade execution that writes {@code jarName}. */
    static String pipelineJarMainClass(String jarName) throws Exception {
        String finalName = jarName.substring(0, jarName.length() - ".jar".length());
        List<String> classes =
                pom(
                        REPO.resolve("pipeline/pom.xml"),
                        "//plugin[artifactId='maven-shade-plugin']//execution[configuration/finalName='"
                                + finalName
                                + "']//transformer/mainClass");
        if (classes.size() != 1) {
            throw new IllegalStateException("No single main class for " + jarName + ": " + classes);
        }
        return classes.get(0);
    }

    /** Dockerfile instructions, continuation lines joined, comments dropped. */
    static List<String> dockerfileInstructions(Path dockerfile) throws IOException {
        List<String> instructions = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : Files.readAllLines(dockerfile)) {
            String trimmed = line.strip();
            if (trimmed.startsWith("#") || (trimmed.isEmpty() && current.length() == 0)) {
                continue;
            }
            boolean continues = trimmed.endsWith("\\");
            current.append(continues ? trimmed.substring(0, trimmed.length() - 1) : trimmed)
                    .append(' ');
            if (!continues) {
                instructions.add(current.toString().strip().replaceAll("\\s+", " "));
                current.setLength(0);
            }
        }
        if (current.length() > 0) {
            instructions.add(current.toString().strip());
        }
        return instructions;
    }
}
