package io.heartbeat.common.rest;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.heartbeat.common.error.DomainException.FieldError;

/**
 * RFC 9457 problem details. {@code type} is a stable relative URI ({@code /problems/<slug>}) clients can switch on;
 * {@code detail} says what was wrong in words; {@code errors} lists offending fields.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Problem(String type, String title, int status, String detail, String instance,
        List<FieldError> errors) {

    public static final String MEDIA_TYPE = "application/problem+json";

    public static Problem of(String slug, String title, int status, String detail, String instance) {
        return new Problem("/problems/" + slug, title, status, detail, instance, null);
    }
}
