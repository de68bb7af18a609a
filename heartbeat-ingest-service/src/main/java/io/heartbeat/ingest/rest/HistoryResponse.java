package io.heartbeat.ingest.rest;

import java.time.Instant;
import java.util.List;

import io.heartbeat.ingest.telemetry.TelemetryStore.Entry;

/**
 * A page of a device's telemetry history, newest first.
 *
 * @param deviceId the device
 * @param from the window's start (inclusive), on the ingest clock ({@code receivedAt})
 * @param to the window's end (exclusive)
 * @param items the heartbeats, newest first
 * @param nextTo when the page is full, the {@code to} that fetches the next (older) page; null on the last page
 */
public record HistoryResponse(String deviceId, Instant from, Instant to, List<Entry> items, Instant nextTo) {
}
