package io.heartbeat.deployment;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The JSON-schema validators of src/test/node/validate.mjs (kubernetes-models, @kubernetes-models/gateway-api and
 * prometheus-operator, the compose specification's schema with Ajv), installed by this module's build into
 * target/node and run with the machine's Node.js.
 */
final class Validators {

    static final Path NODE_DIR = Path.of(System.getProperty("heartbeat.node.dir", "target/node"));

    /** One refusal: the file, the object's kind and name, the validator's message. */
    record Finding(String source, String kind, String name, String message) {
        @Override
        public String toString() {
            return source + ": " + kind + " " + name + ": " + message;
        }
    }

    record Result(int checked, List<Finding> findings) {
    }

    private Validators() {
    }

    /** Kubernetes objects, each validated by its apiVersion and kind. */
    static Result kubernetes(String source, List<JsonNode> objects) {
        return run("k8s", source, objects);
    }

    static Result compose(String source, JsonNode compose) {
        return run("compose", source, List.of(compose));
    }

    private static Result run(String mode, String source, List<JsonNode> objects) {
        try {
            ArrayNode input = Repository.JSON.createArrayNode();
            for (JsonNode o : objects) {
                ObjectNode entry = input.addObject();
                entry.put("source", source);
                entry.set("object", o);
            }
            Path file = Files.createTempFile("validate-", ".json");
            try {
                Files.writeString(file, Repository.JSON.writeValueAsString(input));
                Process p = new ProcessBuilder("node", NODE_DIR.resolve("validate.mjs").toString(), mode, file.toString())
                        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
                    throw new IllegalStateException("validate.mjs " + mode + " failed: " + out);
                }
                JsonNode answer = Repository.JSON.readTree(out);
                List<Finding> findings = new ArrayList<>();
                for (JsonNode e : answer.get("errors")) {
                    findings.add(new Finding(e.path("source").asText(), e.path("kind").asText(), e.path("name").asText(),
                            e.path("message").asText()));
                }
                return new Result(answer.get("checked").asInt(), findings);
            } finally {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
