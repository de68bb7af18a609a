package io.heartbeat.common.json;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.heartbeat.contracts.JsonLimits;
import io.quarkus.jackson.ObjectMapperCustomizer;

/**
 * The {@link ObjectMapper} of every service (Quarkus REST reads and writes bodies with it): Quarkus's own, built the
 * way Quarkus builds it (a new mapper, then every {@link ObjectMapperCustomizer} in priority order, so
 * {@code quarkus.jackson.*} settings such as {@code fail-on-unknown-properties} and the registered modules apply as
 * before), but on the {@link JsonLimits} factory: NUL, lone surrogates and duplicated keys are refused, and depth and
 * sizes are capped, while the body is parsed, whatever it is bound to. Quarkus's producer is a default bean, so this
 * one replaces it. The refusals reach {@code ProblemMapper} as 400 problems naming the JSON path.
 */
public class RestObjectMapper {

    @Produces
    @Singleton
    ObjectMapper objectMapper(Instance<ObjectMapperCustomizer> customizers) {
        ObjectMapper mapper = new ObjectMapper(JsonLimits.factory());
        List<ObjectMapperCustomizer> sorted = new ArrayList<>();
        customizers.forEach(sorted::add);
        Collections.sort(sorted); // highest priority first, as Quarkus's producer does
        for (ObjectMapperCustomizer customizer : sorted) {
            customizer.customize(mapper);
        }
        return mapper;
    }
}
