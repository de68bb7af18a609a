package io.heartbeat.registry.service;

/** A partial profile update: null fields stay as they are; thresholds change only where given. */
public record ProfileChange(String name, String description, ThresholdValues thresholds) {
}
