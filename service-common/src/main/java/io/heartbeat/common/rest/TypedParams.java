package io.heartbeat.common.rest;

import java.lang.annotation.Annotation;
import java.lang.reflect.Type;
import java.util.function.Function;

import jakarta.ws.rs.BadRequestException;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.ext.ParamConverter;
import jakarta.ws.rs.ext.ParamConverterProvider;
import jakarta.ws.rs.ext.Provider;

/**
 * Numbers in query, path and header parameters. Jakarta REST answers a query or path parameter it cannot convert
 * with 404 (as if the resource did not exist); the API documents a 400 that names the parameter, which this gives,
 * for every service.
 */
@Provider
public class TypedParams implements ParamConverterProvider {

    @Override
    @SuppressWarnings("unchecked")
    public <T> ParamConverter<T> getConverter(Class<T> rawType, Type genericType, Annotation[] annotations) {
        Function<String, Object> parse;
        String expected;
        if (rawType == Integer.class || rawType == int.class) {
            parse = s -> Integer.valueOf(s.strip());
            expected = "an integer from " + Integer.MIN_VALUE + " to " + Integer.MAX_VALUE;
        } else if (rawType == Long.class || rawType == long.class) {
            parse = s -> Long.valueOf(s.strip());
            expected = "an integer from " + Long.MIN_VALUE + " to " + Long.MAX_VALUE;
        } else {
            return null;
        }
        String name = name(annotations);
        return (ParamConverter<T>) new ParamConverter<Object>() {
            @Override
            public Object fromString(String value) {
                if (value == null) {
                    return null;
                }
                try {
                    return parse.apply(value);
                } catch (NumberFormatException e) {
                    throw new BadRequestException(name + " must be " + expected);
                }
            }

            @Override
            public String toString(Object value) {
                return value == null ? null : value.toString();
            }
        };
    }

    private static String name(Annotation[] annotations) {
        if (annotations != null) {
            for (Annotation a : annotations) {
                if (a instanceof QueryParam q) {
                    return "query parameter '" + q.value() + "'";
                } else if (a instanceof PathParam p) {
                    return "path parameter '" + p.value() + "'";
                } else if (a instanceof HeaderParam h) {
                    return "header '" + h.value() + "'";
                }
            }
        }
        return "a parameter";
    }
}
