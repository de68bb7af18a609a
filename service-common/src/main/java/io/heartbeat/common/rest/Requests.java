package io.heartbeat.common.rest;

import jakarta.ws.rs.BadRequestException;

/** Parsing of query parameters and headers shared by the resources; bad values are a 400 with a reason. */
public final class Requests {

    private Requests() {
    }

    public static int page(Integer page) {
        if (page == null) {
            return 0;
        }
        if (page < 0) {
            throw new BadRequestException("page must be 0 or more");
        }
        return page;
    }

    /** A checked page request: {@link #offset()} is the offset of its first item and fits an {@code int}. */
    public record Paging(int page, int size) {
        public int offset() {
            return page * size;
        }
    }

    /**
     * The page and size query parameters, checked: page 0 or more, size from 1 to {@code maxSize}, and the page's
     * offset within an {@code int}.
     */
    public static Paging paging(Integer page, Integer size, int defaultSize, int maxSize) {
        int s = size(size, defaultSize, maxSize);
        int p = page(page);
        offset(p, s);
        return new Paging(p, s);
    }

    /**
     * Checks that page {@code page} of {@code size} items starts at an offset the database layer can take (an
     * {@code int}); beyond it the multiplication would overflow into a negative offset.
     *
     * @return {@code page * size}, the offset of the page's first item
     */
    public static int offset(int page, int size) {
        long offset = (long) page * size;
        if (offset > Integer.MAX_VALUE) {
            throw new BadRequestException("page must be at most " + (Integer.MAX_VALUE / size) + " with size " + size);
        }
        return (int) offset;
    }

    /**
     * @param size the requested page size, null for the default
     * @param defaultSize the size when none is requested
     * @param maxSize the largest size a request may ask for
     */
    public static int size(Integer size, int defaultSize, int maxSize) {
        if (size == null) {
            return defaultSize;
        }
        if (size < 1 || size > maxSize) {
            throw new BadRequestException("size must be from 1 to " + maxSize);
        }
        return size;
    }

    public static Boolean bool(String value, String name) {
        if (value == null) {
            return null;
        }
        return switch (value) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new BadRequestException(name + " must be true or false");
        };
    }

    public static <E extends Enum<E>> E enumValue(String value, Class<E> type, String name) {
        if (value == null) {
            return null;
        }
        try {
            return Enum.valueOf(type, value.toUpperCase());
        } catch (IllegalArgumentException e) {
            throw new BadRequestException(name + " must be one of " + java.util.Arrays.toString(type.getEnumConstants()));
        }
    }

    /** An ISO-8601 instant query parameter such as {@code 2026-11-22T10:00:00Z}; null if absent. */
    public static java.time.Instant instant(String value, String name) {
        if (value == null) {
            return null;
        }
        try {
            return java.time.Instant.parse(value);
        } catch (java.time.format.DateTimeParseException e) {
            throw new BadRequestException(name + " must be an ISO-8601 instant such as 2026-11-22T10:00:00Z");
        }
    }

    /** The revision in an {@code If-Match} header ({@code "3"}, {@code W/"3"} or {@code 3}); null if absent. */
    public static Long revision(String ifMatch) {
        if (ifMatch == null || ifMatch.isBlank() || ifMatch.equals("*")) {
            return null;
        }
        String v = ifMatch.strip().replaceFirst("^W/", "").replace("\"", "");
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new BadRequestException("If-Match must be an ETag this API returned, such as \"3\"");
        }
    }
}
