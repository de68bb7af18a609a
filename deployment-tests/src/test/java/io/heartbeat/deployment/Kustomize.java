package io.heartbeat.deployment;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The part of kustomize the repository's kustomizations use: resources (files and directories with a
 * kustomization.yaml), namespace, images and inline JSON 6902 patches (add, replace, remove) with a kind and name
 * target. Any other field is an error, so a kustomization cannot quietly use something this does not apply.
 */
final class Kustomize {

    static final Set<String> FIELDS = Set.of("apiVersion", "kind", "resources", "namespace", "images", "patches");

    private Kustomize() {
    }

    static List<JsonNode> build(Path dir) {
        JsonNode k = Repository.yamlDocuments(read(dir.resolve("kustomization.yaml"))).get(0);
        k.fieldNames().forEachRemaining(f -> {
            if (!FIELDS.contains(f)) {
                throw new IllegalArgumentException(dir + "/kustomization.yaml: " + f + " is not supported by the test");
            }
        });
        List<JsonNode> docs = new ArrayList<>();
        for (JsonNode r : k.path("resources")) {
            Path p = dir.resolve(r.asText()).normalize();
            if (Files.isDirectory(p)) {
                docs.addAll(build(p));
            } else {
                docs.addAll(Repository.yamlDocuments(read(p)));
            }
        }
        if (k.has("namespace")) {
            for (JsonNode d : docs) {
                ((ObjectNode) d.path("metadata")).put("namespace", k.get("namespace").asText());
            }
        }
        for (JsonNode image : k.path("images")) {
            for (JsonNode d : docs) {
                for (JsonNode c : d.path("spec").path("template").path("spec").path("containers")) {
                    String current = c.path("image").asText();
                    int colon = current.lastIndexOf(':');
                    String name = colon > current.lastIndexOf('/') ? current.substring(0, colon) : current;
                    String tag = colon > current.lastIndexOf('/') ? current.substring(colon + 1) : null;
                    if (name.equals(image.path("name").asText())) {
                        String newName = image.has("newName") ? image.get("newName").asText() : name;
                        String newTag = image.has("newTag") ? image.get("newTag").asText() : tag;
                        ((ObjectNode) c).put("image", newTag == null ? newName : newName + ":" + newTag);
                    }
                }
            }
        }
        for (JsonNode patch : k.path("patches")) {
            JsonNode target = patch.path("target");
            List<JsonNode> ops = Repository.yamlDocuments(patch.path("patch").asText());
            boolean applied = false;
            for (JsonNode d : docs) {
                if (d.path("kind").asText().equals(target.path("kind").asText())
                        && d.path("metadata").path("name").asText().equals(target.path("name").asText())) {
                    for (JsonNode op : ops.get(0)) {
                        apply(d, op);
                    }
                    applied = true;
                }
            }
            if (!applied) {
                throw new IllegalArgumentException("patch target " + target + " matches no object");
            }
        }
        return docs;
    }

    static void apply(JsonNode doc, JsonNode op) {
        String[] path = op.path("path").asText().substring(1).split("/");
        JsonNode parent = doc;
        for (int i = 0; i < path.length - 1; i++) {
            parent = parent.isArray() ? parent.get(Integer.parseInt(path[i])) : parent.get(unescape(path[i]));
            if (parent == null) {
                throw new IllegalArgumentException("no " + op.path("path").asText());
            }
        }
        String last = unescape(path[path.length - 1]);
        String kind = op.path("op").asText();
        if (parent instanceof ArrayNode a) {
            int index = last.equals("-") ? a.size() : Integer.parseInt(last);
            switch (kind) {
                case "add" -> a.insert(index, op.get("value"));
                case "replace" -> a.set(index, op.get("value"));
                case "remove" -> a.remove(index);
                default -> throw new IllegalArgumentException("op " + kind + " is not supported by the test");
            }
        } else {
            ObjectNode o = (ObjectNode) parent;
            switch (kind) {
                case "add" -> o.set(last, op.get("value"));
                case "replace" -> {
                    if (!o.has(last)) {
                        throw new IllegalArgumentException("replace of a missing " + op.path("path").asText());
                    }
                    o.set(last, op.get("value"));
                }
                case "remove" -> o.remove(last);
                default -> throw new IllegalArgumentException("op " + kind + " is not supported by the test");
            }
        }
    }

    static String unescape(String token) {
        return token.replace("~1", "/").replace("~0", "~");
    }

    static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
