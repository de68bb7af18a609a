package io.heartbeat.broker;

import java.util.List;

import com.hivemq.extension.sdk.api.auth.parameter.TopicPermission.MqttActivity;

/**
 * One thing a client may do on a topic filter; a client gets a list of them at CONNECT and the broker denies
 * everything else. Kept free of the broker's runtime so the rules can be read and tested as data.
 *
 * @param filter the topic filter the permission covers ({@code +} matches one level)
 * @param activity publish or subscribe
 * @param shared whether it may be a shared subscription ({@code $share/<group>/...}); only service accounts may
 * @param retain whether a publish may be retained; nobody's may: a retained heartbeat or status would be replayed
 *        to every new subscriber as if the device had just sent it
 */
public record TopicRule(String filter, MqttActivity activity, boolean shared, boolean retain) {

    static TopicRule subscribeShared(String filter) {
        return new TopicRule(filter, MqttActivity.SUBSCRIBE, true, false);
    }

    /**
     * A device's own topics: it publishes heartbeats, telemetry and status (acks, its last will) and subscribes to its
     * commands. Device ids are {@code [A-Za-z0-9._-]}, so an id never holds a wildcard or a level separator.
     */
    public static List<TopicRule> forDevice(String deviceId) {
        String base = "devices/" + deviceId + "/";
        return List.of(
                new TopicRule(base + "heartbeat", MqttActivity.PUBLISH, false, false),
                new TopicRule(base + "data", MqttActivity.PUBLISH, false, false),
                new TopicRule(base + "status", MqttActivity.PUBLISH, false, false),
                new TopicRule(base + "commands", MqttActivity.SUBSCRIBE, false, false));
    }

    /** The only topic a device's last will may name. */
    public static String willTopic(String deviceId) {
        return "devices/" + deviceId + "/status";
    }
}
