package io.heartbeat.common.rest;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.heartbeat.contracts.EventJson;
import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.ext.web.Router;

/**
 * Answers a body larger than {@code quarkus.http.limits.max-body-size} with a 413 problem, before the HTTP layer
 * would read it and close the connection with an empty 413. Every service that has this jar gets it (it is a bean
 * here); it goes by {@code Content-Length}, so a chunked body over the limit still gets Vert.x's plain 413.
 */
@ApplicationScoped
public class BodyLimit {

    void install(@Observes Router router,
            @ConfigProperty(name = "quarkus.http.limits.max-body-size", defaultValue = "10240K") MemorySize max) {
        long limit = max.asLongValue();
        router.route().order(Integer.MIN_VALUE).handler(ctx -> {
            String length = ctx.request().getHeader("Content-Length");
            if (length != null && tooLarge(length, limit)) {
                Problem p = Problem.of("payload-too-large", "Content Too Large", 413,
                        "The body has " + length + " bytes; at most " + limit + " are accepted", ctx.request().path());
                ctx.response().setStatusCode(413).putHeader("Content-Type", Problem.MEDIA_TYPE)
                        .putHeader("Connection", "close").end(EventJson.write(p));
                return;
            }
            ctx.next();
        });
    }

    static boolean tooLarge(String contentLength, long limit) {
        try {
            return Long.parseLong(contentLength.trim()) > limit;
        } catch (NumberFormatException e) {
            return false;
        }
    }
}
