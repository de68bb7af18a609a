package io.heartbeat.common.rest;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.heartbeat.contracts.EventJson;
import io.heartbeat.contracts.JsonLimits;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * Refuses, before any resource sees it, a request line that no service could answer sensibly, with a problem instead
 * of a 500 or the HTTP layer's empty answer:
 * <ul>
 * <li>a URI longer than {@value #MAX_URI_LENGTH} characters: 414. (Vert.x itself refuses request lines longer than
 * {@code quarkus.http.limits.max-initial-line-length}, which this jar raises to 64 KiB, with an empty 414 before
 * any route runs; between the two, this answer is a problem.)</li>
 * <li>a malformed % escape, bytes that are not UTF-8, NUL or a lone surrogate in the path or in a query parameter's
 * name or value: 400 naming the parameter. Postgres cannot store NUL, so such an id would otherwise fail in the
 * database.</li>
 * </ul>
 * It also answers every failure that reaches the Vert.x router (rather than a resource) with a problem.
 */
@ApplicationScoped
public class RequestGuard {

    /** Longest URI (path and query) a request may have. */
    public static final int MAX_URI_LENGTH = 8192;

    void install(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE + 1).handler(this::check);
        router.route().order(Integer.MIN_VALUE).failureHandler(RequestGuard::failure);
    }

    private void check(RoutingContext ctx) {
        String uri = ctx.request().uri();
        if (uri.length() > MAX_URI_LENGTH) {
            refuse(ctx, Problem.of("uri-too-long", "URI Too Long", 414,
                    "The URI has " + uri.length() + " characters; at most " + MAX_URI_LENGTH + " are accepted",
                    null));
            return;
        }
        String problem = problem(uri);
        if (problem != null) {
            refuse(ctx, Problem.of("bad-request", "Bad Request", 400, problem, null));
            return;
        }
        ctx.next();
    }

    /** What is wrong with the raw request URI, or null. */
    static String problem(String uri) {
        int q = uri.indexOf('?');
        String path = q < 0 ? uri : uri.substring(0, q);
        String bad = decodeProblem(path, false);
        if (bad != null) {
            return "The path " + bad;
        }
        if (q < 0) {
            return null;
        }
        int hash = uri.indexOf('#', q);
        String query = uri.substring(q + 1, hash < 0 ? uri.length() : hash);
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            String rawName = eq < 0 ? pair : pair.substring(0, eq);
            bad = decodeProblem(rawName, true);
            if (bad != null) {
                return "A query parameter's name " + bad;
            }
            if (eq >= 0) {
                bad = decodeProblem(pair.substring(eq + 1), true);
                if (bad != null) {
                    return "The query parameter '" + JsonLimits.printable(decodeLoosely(rawName)) + "' " + bad;
                }
            }
        }
        return null;
    }

    /** What is wrong with {@code raw} once %-decoded, or null. */
    static String decodeProblem(String raw, boolean plusIsSpace) {
        String decoded;
        try {
            decoded = decode(raw, plusIsSpace);
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
        return JsonLimits.textProblem(decoded);
    }

    private static String decodeLoosely(String raw) {
        try {
            return decode(raw, true);
        } catch (IllegalArgumentException e) {
            return raw;
        }
    }

    static String decode(String raw, boolean plusIsSpace) {
        if (raw.indexOf('%') < 0 && !(plusIsSpace && raw.indexOf('+') >= 0)) {
            return raw;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '%') {
                int hi = i + 1 < raw.length() ? Character.digit(raw.charAt(i + 1), 16) : -1;
                int lo = i + 2 < raw.length() ? Character.digit(raw.charAt(i + 2), 16) : -1;
                if (hi < 0 || lo < 0) {
                    throw new IllegalArgumentException("has a malformed % escape at character " + (i + 1)
                            + " (a % must be followed by two hex digits)");
                }
                bytes.write(hi * 16 + lo);
                i += 2;
            } else if (c == '+' && plusIsSpace) {
                bytes.write(' ');
            } else {
                byte[] b = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                bytes.write(b, 0, b.length);
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes.toByteArray())).toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("is not UTF-8 once %-decoded");
        }
    }

    private static void refuse(RoutingContext ctx, Problem p) {
        Problem withInstance = new Problem(p.type(), p.title(), p.status(), p.detail(), safePath(ctx), p.errors());
        ctx.response().setStatusCode(p.status()).putHeader("Content-Type", Problem.MEDIA_TYPE)
                .end(EventJson.write(withInstance));
    }

    /** The path as the problem's instance, only if it is printable as it is. */
    private static String safePath(RoutingContext ctx) {
        String raw = ctx.request().uri();
        int q = raw.indexOf('?');
        String path = q < 0 ? raw : raw.substring(0, q);
        return path.length() <= 512 && decodeProblem(path, false) == null ? path : null;
    }

    /**
     * A 4xx the router itself decided (e.g. no route, a method no route takes, a path it cannot normalize) as a
     * problem. Failures with another cause (authentication challenges, unexpected errors) go on to Quarkus's own
     * handlers, which know how to answer them.
     */
    private static void failure(RoutingContext ctx) {
        Throwable failure = ctx.failure();
        int status = failure instanceof io.vertx.ext.web.handler.HttpException h ? h.getStatusCode() : ctx.statusCode();
        // the router's own refusals: no failure, an HttpException, or a VertxException such as "the request path
        // must start with '/'", which is what a path Vert.x cannot normalize (e.g. a malformed % escape) ends as
        boolean routerRefusal = failure == null || failure instanceof io.vertx.ext.web.handler.HttpException
                || failure.getClass() == io.vertx.core.VertxException.class;
        if (!routerRefusal || status < 400 || status > 499 || status == 401 || status == 403
                || ctx.response().headWritten() || ctx.response().ended()) {
            ctx.next();
            return;
        }
        String slug = switch (status) {
            case 404 -> "not-found";
            case 405 -> "method-not-allowed";
            case 413 -> "payload-too-large";
            case 414 -> "uri-too-long";
            case 415 -> "unsupported-media-type";
            default -> "bad-request";
        };
        String reason = io.netty.handler.codec.http.HttpResponseStatus.valueOf(status).reasonPhrase();
        String uriProblem = problem(ctx.request().uri());
        String detail = uriProblem != null ? uriProblem
                : failure != null && failure.getMessage() != null ? failure.getMessage()
                        : "The request was refused: " + reason;
        refuse(ctx, Problem.of(slug, reason, status, detail, null));
    }
}
