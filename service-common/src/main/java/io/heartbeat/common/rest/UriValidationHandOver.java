package io.heartbeat.common.rest;

import java.util.Map;
import java.util.Set;

import org.eclipse.microprofile.config.spi.ConfigSource;

/**
 * Hands the check of request URIs from Quarkus to {@link RequestGuard}. Quarkus's HTTP root handler answers a URI
 * that {@code java.net.URI} cannot parse (e.g. a malformed % escape) with an empty 400 before any route runs, unless
 * the system property {@code vertx.disableURIValidation} is {@code true}; the handler reads it once, when the HTTP
 * recorder class is initialized, which is after configuration is set up and before any bean exists. So this config
 * source (it holds no properties) sets the property when it is loaded, unless it was set at launch; from then on
 * {@link RequestGuard} refuses those URIs itself, with a problem.
 */
public class UriValidationHandOver implements ConfigSource {

    static final String PROPERTY = "vertx.disableURIValidation";

    static {
        if (System.getProperty(PROPERTY) == null) {
            System.setProperty(PROPERTY, "true");
        }
    }

    @Override
    public Set<String> getPropertyNames() {
        return Set.of();
    }

    @Override
    public Map<String, String> getProperties() {
        return Map.of();
    }

    @Override
    public String getValue(String propertyName) {
        return null;
    }

    @Override
    public String getName() {
        return "heartbeat-uri-validation-hand-over";
    }

    @Override
    public int getOrdinal() {
        return 0;
    }
}
