package io.heartbeat.common.rest;

import java.util.List;
import java.util.function.Function;

/** One page of a list answer: the items plus where the page sits in the whole list. */
public record Page<T>(List<T> items, int page, int size, long totalItems, long totalPages) {

    public static <E, T> Page<T> of(List<E> items, Function<E, T> map, int page, int size, long total) {
        return new Page<>(items.stream().map(map).toList(), page, size, total, (total + size - 1) / size);
    }
}
