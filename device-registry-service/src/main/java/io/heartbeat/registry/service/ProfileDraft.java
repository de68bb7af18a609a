package io.heartbeat.registry.service;

/** A new profile; thresholds that are absent take the seeds' defaults (30 s / 40 s / 300 s, 10 s, 10 a minute). */
public record ProfileDraft(String id, String name, String description, ThresholdValues thresholds) {
}
