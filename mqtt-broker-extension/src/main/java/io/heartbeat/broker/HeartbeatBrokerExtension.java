package io.heartbeat.broker;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.hivemq.extension.sdk.api.ExtensionMain;
import com.hivemq.extension.sdk.api.auth.SimpleAuthenticator;
import com.hivemq.extension.sdk.api.auth.parameter.SimpleAuthInput;
import com.hivemq.extension.sdk.api.auth.parameter.SimpleAuthOutput;
import com.hivemq.extension.sdk.api.auth.parameter.TopicPermission;
import com.hivemq.extension.sdk.api.packets.auth.DefaultAuthorizationBehaviour;
import com.hivemq.extension.sdk.api.packets.auth.ModifiableDefaultPermissions;
import com.hivemq.extension.sdk.api.packets.connect.ConnackReasonCode;
import com.hivemq.extension.sdk.api.packets.connect.ConnectPacket;
import com.hivemq.extension.sdk.api.packets.disconnect.DisconnectReasonCode;
import com.hivemq.extension.sdk.api.parameter.ExtensionStartInput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStartOutput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStopInput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStopOutput;
import com.hivemq.extension.sdk.api.services.Services;
import com.hivemq.extension.sdk.api.services.builder.Builders;

import io.heartbeat.contracts.DeviceJwtVerifier;

/**
 * The platform's device edge inside HiveMQ CE: every CONNECT is authenticated ({@link ConnectDecisions}), every client
 * gets exactly the topic permissions of its role ({@link TopicRule}, everything else denied), and a device whose view
 * revokes its credential (deleted, disabled, token rotated) is disconnected within the time the registry's event takes
 * to arrive.
 *
 * <p>
 * Standalone, HiveMQ loads it from {@code extensions/heartbeat-broker-extension/} with the no-argument constructor
 * and it reads {@link BrokerSettings#load}; the local stack and the tests embed it with its settings given.
 */
public final class HeartbeatBrokerExtension implements ExtensionMain {

    private static final Logger LOG = LoggerFactory.getLogger(HeartbeatBrokerExtension.class);

    private final BrokerSettings given;
    private volatile DeviceAccessViews views;

    /** Loaded from the extension folder: the settings come from its {@link BrokerSettings#FILE} and the environment. */
    public HeartbeatBrokerExtension() {
        this(null);
    }

    /** Embedded, with its settings. */
    public HeartbeatBrokerExtension(BrokerSettings settings) {
        this.given = settings;
    }

    @Override
    public void extensionStart(ExtensionStartInput input, ExtensionStartOutput output) {
        BrokerSettings settings;
        Optional<DeviceJwtVerifier> jwt;
        try {
            settings = given != null ? given
                    : BrokerSettings.load(input.getExtensionInformation().getExtensionHomeFolder().toPath(),
                            System.getenv());
            jwt = settings.deviceJwtPublicKeyLocation().map(location -> new DeviceJwtVerifier(
                    DeviceJwtVerifier.readPublicKey(location), settings.deviceJwtIssuer(),
                    settings.deviceJwtAudience(), settings.deviceJwtClockSkew()));
        } catch (RuntimeException e) {
            // Fail closed: a HiveMQ whose security extension did not start accepts everyone, so the extension starts
            // anyway and refuses every client until its settings are fixed and the broker restarted.
            LOG.error("heartbeat broker extension: unusable settings, every client is refused: {}", e.getMessage());
            Services.securityRegistry().setAuthenticatorProvider(ignored -> (SimpleAuthenticator) (in, out) -> out
                    .failAuthentication(ConnackReasonCode.SERVER_UNAVAILABLE, "the broker is misconfigured"));
            return;
        }
        if (settings.kafkaBootstrapServers() == null) {
            LOG.error("heartbeat broker extension: kafka.bootstrap.servers is not set; every device will be refused");
        }
        if (jwt.isEmpty()) {
            LOG.warn("heartbeat broker extension: no device JWT public key; devices connect with API tokens only");
        }
        DeviceAccessViews v = new DeviceAccessViews(settings, HeartbeatBrokerExtension::disconnect);
        ConnectDecisions decisions = new ConnectDecisions(settings, v, jwt);
        Services.securityRegistry().setAuthenticatorProvider(ignored -> new Authenticator(decisions));
        v.start();
        views = v;
        LOG.info("heartbeat broker extension started: {}", settings);
    }

    @Override
    public void extensionStop(ExtensionStopInput input, ExtensionStopOutput output) {
        DeviceAccessViews v = views;
        if (v != null) {
            try {
                v.stop();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Ends a revoked device's session (its client id is its device id); no last will: it did not go offline. */
    private static void disconnect(String deviceId, String reason) {
        Services.clientService().disconnectClient(deviceId, true, DisconnectReasonCode.NOT_AUTHORIZED, reason)
                .whenComplete((disconnected, e) -> {
                    if (e != null) {
                        LOG.warn("could not disconnect revoked device {}: {}", deviceId, e.getMessage());
                    } else if (Boolean.TRUE.equals(disconnected)) {
                        Services.metricRegistry().counter("io.heartbeat.broker.sessions.revoked").inc();
                        LOG.info("disconnected device {}: {}", deviceId, reason);
                    }
                });
    }

    /** The broker's side of {@link ConnectDecisions}: reads the CONNECT, grants the permissions or refuses. */
    private static final class Authenticator implements SimpleAuthenticator {

        private final ConnectDecisions decisions;

        Authenticator(ConnectDecisions decisions) {
            this.decisions = decisions;
        }

        @Override
        public void onConnect(SimpleAuthInput input, SimpleAuthOutput output) {
            ConnectPacket connect = input.getConnectPacket();
            ConnectDecisions.Will will = connect.getWillPublish()
                    .map(w -> new ConnectDecisions.Will(w.getTopic(), w.getRetain())).orElse(null);
            ConnectDecisions.Decision decision = decisions.decide(connect.getUserName().orElse(null),
                    connect.getPassword().map(Authenticator::utf8).orElse(null), connect.getClientId(), will);
            if (decision instanceof ConnectDecisions.Device device) {
                grant(output, TopicRule.forDevice(device.deviceId()));
                count("connects.devices");
            } else if (decision instanceof ConnectDecisions.Service service) {
                grant(output, service.account().rules());
                count("connects.services");
            } else {
                ConnectDecisions.Refused refused = (ConnectDecisions.Refused) decision;
                count("connects.refused." + refused.code().name().toLowerCase(java.util.Locale.ROOT));
                LOG.debug("refused CONNECT of client {} (user {}): {} {}", connect.getClientId(),
                        connect.getUserName().orElse("-"), refused.code(), refused.reason());
                output.failAuthentication(refused.code(), refused.reason());
            }
        }

        private static void grant(SimpleAuthOutput output, List<TopicRule> rules) {
            ModifiableDefaultPermissions permissions = output.getDefaultPermissions();
            for (TopicRule rule : rules) {
                permissions.add(Builders.topicPermission()
                        .topicFilter(rule.filter())
                        .type(TopicPermission.PermissionType.ALLOW)
                        .activity(rule.activity())
                        .sharedSubscription(rule.shared() ? TopicPermission.SharedSubscription.ALL
                                : TopicPermission.SharedSubscription.NOT_SHARED)
                        .retain(rule.retain() ? TopicPermission.Retain.ALL : TopicPermission.Retain.NOT_RETAINED)
                        .build());
            }
            permissions.setDefaultBehaviour(DefaultAuthorizationBehaviour.DENY);
            output.authenticateSuccessfully();
        }

        private static void count(String name) {
            Services.metricRegistry().counter("io.heartbeat.broker." + name).inc();
        }

        /** The password as UTF-8 text; bytes that are not UTF-8 are no credential of ours. */
        private static String utf8(ByteBuffer password) {
            try {
                return StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(password.asReadOnlyBuffer()).toString();
            } catch (CharacterCodingException e) {
                return null;
            }
        }
    }
}
