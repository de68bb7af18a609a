package io.heartbeat.broker;

import java.util.List;
import java.util.Optional;

import com.hivemq.extension.sdk.api.auth.parameter.TopicPermission.MqttActivity;

import io.heartbeat.contracts.ServiceAccounts;

/**
 * The platform services that connect to the broker, one account each ({@link ServiceAccounts} names them): the user
 * name is {@link #username()}, the password comes from the extension's settings. Client ids that start with an account's name
 * are reserved for that
 * account, so no device can take over (or wipe, with a clean session) a service's session.
 */
public enum ServiceAccount {

    /** heartbeat-ingest-service: reads every device's heartbeats and data, usually as a shared subscription. */
    INGEST(ServiceAccounts.INGEST, List.of(
            TopicRule.subscribeShared("devices/+/heartbeat"),
            TopicRule.subscribeShared("devices/+/data"))),

    /** status-monitor-service: reads last wills (and acks, which it ignores) from every device's status topic. */
    MONITOR(ServiceAccounts.MONITOR, List.of(
            TopicRule.subscribeShared("devices/+/status"))),

    /** command-service: the only client that may publish commands; reads acks from the status topics. */
    COMMAND(ServiceAccounts.COMMAND, List.of(
            new TopicRule("devices/+/commands", MqttActivity.PUBLISH, false, false),
            TopicRule.subscribeShared("devices/+/status")));

    private final String username;
    private final List<TopicRule> rules;

    ServiceAccount(String username, List<TopicRule> rules) {
        this.username = username;
        this.rules = rules;
    }

    /** The MQTT user name, also the reserved client-id prefix. */
    public String username() {
        return username;
    }

    /** What the account may do; everything else is denied. */
    public List<TopicRule> rules() {
        return rules;
    }

    public static Optional<ServiceAccount> named(String username) {
        for (ServiceAccount a : values()) {
            if (a.username.equals(username)) {
                return Optional.of(a);
            }
        }
        return Optional.empty();
    }

    /** The account whose reserved prefix {@code clientId} starts with, if any. */
    public static Optional<ServiceAccount> reserving(String clientId) {
        for (ServiceAccount a : values()) {
            if (clientId.startsWith(a.username)) {
                return Optional.of(a);
            }
        }
        return Optional.empty();
    }
}
