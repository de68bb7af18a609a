package io.heartbeat.registry.entity;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

import jakarta.persistence.Column;
import jakarta.persistence.Embedded;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

import io.heartbeat.contracts.Protocol;

/**
 * A registered device. Its id is chosen by its owner and is globally unique, since the MQTT topics
 * {@code devices/{id}/...} carry only the id. Only the hash of its API token is kept.
 */
@Entity
@Table(name = "device")
public class Device {

    @Id
    public String id;

    @Column(name = "tenant_id")
    public String tenantId;

    public String name;

    @Enumerated(EnumType.STRING)
    public Protocol protocol;

    @JdbcTypeCode(SqlTypes.JSON)
    @Column(name = "protocol_config")
    public Map<String, Object> protocolConfig = new HashMap<>();

    @Column(name = "profile_id")
    public String profileId;

    @Embedded
    public ThresholdOverrides overrides = new ThresholdOverrides();

    public boolean enabled;

    @Column(name = "remote_control_enabled")
    public boolean remoteControlEnabled;

    @Column(name = "firmware_version")
    public String firmwareVersion;

    @JdbcTypeCode(SqlTypes.JSON)
    public Map<String, Object> metadata = new HashMap<>();

    @Column(name = "token_hash")
    public String tokenHash;

    @Column(name = "token_rotated_at")
    public Instant tokenRotatedAt;

    @Column(name = "created_at")
    public Instant createdAt;

    @Column(name = "updated_at")
    public Instant updatedAt;

    /** Strictly increasing per device; carried by every event so consumers can drop stale views. */
    public long revision;

    public ThresholdOverrides overrides() {
        if (overrides == null) {
            // Hibernate leaves an all-null embeddable null
            overrides = new ThresholdOverrides();
        }
        return overrides;
    }

    /**
     * When the current credential was issued: the registration or the last token rotation. Carried in the device's
     * view and in every device JWT, so a JWT issued under an earlier credential is refused.
     */
    public Instant credentialsSince() {
        return tokenRotatedAt != null ? tokenRotatedAt : createdAt;
    }
}
