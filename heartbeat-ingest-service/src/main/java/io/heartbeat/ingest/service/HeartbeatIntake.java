package io.heartbeat.ingest.service;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.heartbeat.contracts.Channel;
import io.heartbeat.contracts.DeviceView;
import io.heartbeat.contracts.EventJson;
import io.heartbeat.contracts.HeartbeatAccepted;
import io.heartbeat.contracts.HeartbeatKind;
import io.heartbeat.contracts.HeartbeatRejected;
import io.heartbeat.contracts.RejectReason;
import io.heartbeat.contracts.SignalDelivered;
import io.heartbeat.ingest.config.IngestConfig;
import io.heartbeat.ingest.messaging.HeartbeatPublisher;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.logging.Log;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;

/**
 * The intake of one heartbeat, whatever channel it came on: authenticate, check the device, validate, rate-limit,
 * publish. An accepted heartbeat is reported only after Kafka has stored it; every refusal is counted by reason, logged
 * at a bounded rate and published to heartbeats.rejected (credentials removed from the excerpt), except HTTP requests
 * without a valid device credential beyond a per-source limit
 * ({@link IngestConfig.UnauthenticatedRejections}): those are answered and counted, but cost no Kafka record.
 *
 * <p>
 * {@link #receive} is total: whatever fails inside it, synchronously or in the reactive chain, ends in a refusal
 * (MALFORMED_JSON with a generic detail, counted, logged at a bounded rate, with its heartbeats.rejected record), never
 * in an exception. An MQTT message that cannot be processed would otherwise stay unacknowledged in the broker's small
 * in-flight window, and a few such messages would stop MQTT intake for every device.
 */
@ApplicationScoped
public class HeartbeatIntake {

    /**
     * One heartbeat as it arrived.
     *
     * @param channel HTTP or MQTT
     * @param kind heartbeat or data message
     * @param source the HTTP path or MQTT topic
     * @param origin the address the request came from (HTTP: the peer, or the client a trusted proxy names), else null
     * @param credential the credential presented outside the body (HTTP {@code Authorization}), else null: then the
     *        body's {@code jwt_token} or {@code api_token} is used
     * @param pathDeviceId the device id named by the MQTT topic, else null
     * @param body the raw body, empty when none
     * @param declaredJson whether the body is declared as JSON (HTTP {@code Content-Type}; always true on MQTT); a
     *        non-empty body that is not is refused with UNSUPPORTED_MEDIA_TYPE
     */
    public record Submission(Channel channel, HeartbeatKind kind, String source, String origin, String credential,
            String pathDeviceId, byte[] body, boolean declaredJson) {
    }

    /**
     * Either the accepted heartbeat and its device, or the refusal.
     *
     * @param stored whether Kafka has what became of the submission: the accepted heartbeat, or (awaited on MQTT
     *        only) the rejected record. An MQTT message is acknowledged only when this is true.
     * @param shouldReconnect whether the answer tells the device to reconnect (HTTP only; see {@link DeviceSignals})
     * @param refusedFields readings of an accepted heartbeat that were left out (out of range); empty otherwise
     */
    public record Outcome(HeartbeatAccepted accepted, DeviceView device, Refusal refusal, boolean stored,
            boolean shouldReconnect, List<HeartbeatValidator.RefusedField> refusedFields) {

        Outcome(HeartbeatAccepted accepted, DeviceView device, Refusal refusal, boolean stored) {
            this(accepted, device, refusal, stored, false, List.of());
        }

        public boolean isAccepted() {
            return accepted != null;
        }
    }

    private static final ObjectMapper JSON = EventJson.mapper();
    private static final TypeReference<Map<String, Object>> OBJECT = new TypeReference<>() {
    };

    private final DeviceAuthenticator authenticator;
    private final HeartbeatValidator validator;
    private final RateLimiter rateLimiter;
    private final HeartbeatPublisher publisher;
    private final DeviceSignals signals;
    private final Throttle logThrottle;
    private final Throttle unauthenticatedRecords;
    private final IngestConfig config;
    private final Clock clock;
    private final MeterRegistry metrics;
    private final Map<Channel, Timer> handoff;
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();

    public HeartbeatIntake(DeviceAuthenticator authenticator, HeartbeatValidator validator, RateLimiter rateLimiter,
            HeartbeatPublisher publisher, DeviceSignals signals, IngestConfig config, Clock clock, MeterRegistry metrics) {
        this.authenticator = authenticator;
        this.validator = validator;
        this.rateLimiter = rateLimiter;
        this.publisher = publisher;
        this.signals = signals;
        this.logThrottle = new Throttle(config.refusalLogLimit(), config.refusalLogWindow());
        IngestConfig.UnauthenticatedRejections limits = config.unauthenticatedRejections();
        this.unauthenticatedRecords = new Throttle(limits.perSourceLimit(), limits.window(), limits.maxSources());
        this.config = config;
        this.clock = clock;
        this.metrics = metrics;
        this.handoff = new EnumMap<>(Channel.class);
        for (Channel channel : Channel.values()) {
            handoff.put(channel, Timer.builder("ingest.heartbeat.handoff")
                    .description("From receipt of an accepted heartbeat to Kafka's acknowledgement of its record")
                    .tag("channel", channel.name())
                    .publishPercentiles(0.5, 0.99)
                    .publishPercentileHistogram()
                    .register(metrics));
        }
        metrics.gauge("ingest.rate-limiter.devices", rateLimiter, RateLimiter::trackedDevices);
        metrics.gauge("ingest.rejections.tracked-sources", unauthenticatedRecords, Throttle::trackedKeys);
    }

    /**
     * Accepts or refuses the submission. Never fails: any exception on the way becomes a refusal.
     */
    public Uni<Outcome> receive(Submission submission) {
        Instant receivedAt = clock.instant();
        Uni<Outcome> outcome;
        try {
            outcome = process(submission, receivedAt);
        } catch (RuntimeException | StackOverflowError e) {
            return failed(submission, receivedAt, e);
        }
        return outcome.onFailure().recoverWithUni(e -> failed(submission, receivedAt, e));
    }

    /** The refusal of a submission whose processing failed unexpectedly; if even that fails, a bare outcome. */
    private Uni<Outcome> failed(Submission submission, Instant receivedAt, Throwable e) {
        Refusal refusal = new Refusal(RejectReason.MALFORMED_JSON, "the heartbeat could not be processed");
        try {
            metrics.counter("ingest.intake.failures", "channel", String.valueOf(submission.channel())).increment();
            if (logThrottle.permit("intake-failure", receivedAt).allowed()) {
                Log.errorf(e, "a heartbeat on %s could not be processed; refused", submission.source());
            }
            return refuse(submission, receivedAt, null, submission.pathDeviceId(), refusal)
                    .onFailure().recoverWithItem(f -> new Outcome(null, null, refusal, true));
        } catch (RuntimeException | StackOverflowError f) {
            // nothing could be recorded; still an answer (and an MQTT acknowledgement: redelivery would fail again)
            return Uni.createFrom().item(new Outcome(null, null, refusal, true));
        }
    }

    private Uni<Outcome> process(Submission submission, Instant receivedAt) {
        long started = System.nanoTime();
        byte[] body = submission.body() == null ? new byte[0] : submission.body();
        DeviceAuthenticator.Authentication auth = null;
        if (submission.credential() != null || submission.channel() == Channel.HTTP) {
            // credential outside the body: check it before looking at the body
            auth = authenticator.authenticate(submission.credential());
            if (!auth.authenticated()) {
                return refuse(submission, receivedAt, null, null, auth.refusal());
            }
        }
        if (body.length > config.maxBodyBytes()) {
            return refuse(submission, receivedAt, auth == null ? null : auth.device(), null,
                    new Refusal(RejectReason.PAYLOAD_TOO_LARGE, "the body has " + body.length + " bytes, at most "
                            + config.maxBodyBytes() + " are accepted"));
        }
        if (!submission.declaredJson() && !isBlank(body)) {
            return refuse(submission, receivedAt, auth == null ? null : auth.device(), null,
                    new Refusal(RejectReason.UNSUPPORTED_MEDIA_TYPE, "a heartbeat body must be application/json"));
        }
        if (submission.channel() == Channel.MQTT
                && (submission.pathDeviceId() == null || submission.pathDeviceId().isBlank())) {
            return refuse(submission, receivedAt, null, null, new Refusal(RejectReason.INVALID_DEVICE_ID,
                    "the topic names no device; publish on devices/{deviceId}/heartbeat or devices/{deviceId}/data"));
        }
        Map<String, Object> fields;
        try {
            fields = parse(body);
        } catch (Unreadable e) {
            DeviceView device = auth == null ? null : auth.device();
            return refuse(submission, receivedAt, device, submission.pathDeviceId(), e.refusal);
        }
        HeartbeatValidator.Result result = validator.validate(fields, receivedAt);
        String claimed = claimedDeviceId(submission, fields);
        if (auth == null) {
            String inBody = credentialInBody(fields);
            auth = inBody == null && submission.pathDeviceId() != null && config.mqttTopicIsIdentity()
                    ? authenticator.vouchedByBroker(submission.pathDeviceId())
                    : authenticator.authenticate(inBody);
            if (!auth.authenticated()) {
                return refuse(submission, receivedAt, null, claimed, auth.refusal());
            }
        }
        DeviceView device = auth.device();
        if (!device.enabled()) {
            return refuse(submission, receivedAt, device, null,
                    new Refusal(RejectReason.DEVICE_DISABLED, "device " + device.deviceId() + " is disabled"));
        }
        if (submission.pathDeviceId() != null && !submission.pathDeviceId().equals(device.deviceId())) {
            return refuse(submission, receivedAt, device, null, new Refusal(RejectReason.DEVICE_ID_MISMATCH,
                    "the topic names device " + submission.pathDeviceId() + " but the credential is another device's"));
        }
        Object bodyId = fields.get(HeartbeatValidator.DEVICE_ID);
        if (bodyId instanceof String id && !id.equals(device.deviceId())) {
            return refuse(submission, receivedAt, device, null, new Refusal(RejectReason.DEVICE_ID_MISMATCH,
                    "device_id " + id + " is not the device the credential belongs to"));
        }
        if (!result.valid()) {
            return refuse(submission, receivedAt, device, null, result.refusal());
        }
        RateLimiter.Decision decision = rateLimiter.tryAcquire(device.deviceId(), submission.kind(), receivedAt,
                Duration.ofSeconds(device.thresholds().minHeartbeatSpacingSeconds()),
                device.thresholds().maxHeartbeatsPerMinute());
        if (!decision.allowed()) {
            return refuse(submission, receivedAt, device, null, new Refusal(RejectReason.RATE_LIMITED,
                    "too many heartbeats: at least " + device.thresholds().minHeartbeatSpacingSeconds()
                            + " s apart and at most " + device.thresholds().maxHeartbeatsPerMinute()
                            + " per minute; retry in " + decision.retryAfter().toSeconds() + " s",
                    decision.retryAfter()));
        }
        HeartbeatValidator.Heartbeat hb = result.heartbeat();
        HeartbeatAccepted accepted = new HeartbeatAccepted(HeartbeatAccepted.SCHEMA_VERSION,
                UUID.randomUUID().toString(), device.deviceId(), device.tenantId(), submission.channel(),
                submission.kind(), hb.sentAt(), receivedAt, hb.status(), hb.telemetry(), hb.anomalies(),
                device.revision());
        return publisher.publish(accepted)
                .invoke(() -> handoff.get(submission.channel()).record(System.nanoTime() - started, TimeUnit.NANOSECONDS))
                .flatMap(ignored -> {
                    counter("ingest.heartbeats.accepted", "channel", submission.channel().name(), "kind",
                            submission.kind().name()).increment();
                    return refuseReadings(submission, receivedAt, device, hb.refusedFields())
                            .flatMap(none -> reconnectAnswer(submission, device))
                            .map(reconnect -> new Outcome(accepted, device, null, true, reconnect,
                                    hb.refusedFields()));
                })
                .onFailure().recoverWithUni(e -> {
                    rateLimiter.release(device.deviceId(), submission.kind(), receivedAt);
                    return refuse(submission, receivedAt, device, null, new Refusal(RejectReason.UNAVAILABLE,
                            "the heartbeat could not be stored right now; retry shortly"));
                });
    }

    /**
     * The readings an accepted heartbeat left out (out of range) still go the rejection path: one heartbeats.rejected
     * record for them, with their reason, counted in ingest.readings.refused. Awaited on MQTT (as refusals are), sent
     * alongside the answer on HTTP; a record Kafka does not take is counted, and never undoes the accepted heartbeat.
     */
    private Uni<Void> refuseReadings(Submission submission, Instant receivedAt, DeviceView device,
            List<HeartbeatValidator.RefusedField> refused) {
        if (refused.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        RejectReason reason = refused.get(0).reason();
        StringBuilder detail = new StringBuilder("accepted without ");
        for (int i = 0; i < refused.size(); i++) {
            HeartbeatValidator.RefusedField f = refused.get(i);
            detail.append(i == 0 ? "" : "; ").append(f.field()).append(": ").append(f.detail());
            counter("ingest.readings.refused", "reason", f.reason().name(), "channel", submission.channel().name())
                    .increment();
        }
        HeartbeatRejected rejected = new HeartbeatRejected(HeartbeatRejected.SCHEMA_VERSION,
                UUID.randomUUID().toString(), device.deviceId(), device.tenantId(), submission.channel(),
                submission.source(), reason, detail.toString(),
                Excerpts.of(submission.body(), config.rejectedExcerptBytes()), receivedAt);
        Uni<Void> stored = publisher.publish(rejected)
                .onFailure().invoke(e -> metrics.counter("ingest.rejections.unpublished").increment())
                .onFailure().recoverWithNull();
        if (submission.channel() == Channel.MQTT) {
            return stored;
        }
        stored.subscribe().with(ignored -> {
        });
        return Uni.createFrom().voidItem();
    }

    /**
     * Whether an HTTP answer tells the device to reconnect: yes while the command service signals a reconnect that has
     * not been delivered. The delivery is reported on device-signals.delivered; once Kafka has that report the
     * reconnect is not answered again. If the report cannot be stored the device is still told (it reconnects), and
     * the next answer tells it again until a report is stored: at least once, never silently lost.
     */
    private Uni<Boolean> reconnectAnswer(Submission submission, DeviceView device) {
        if (submission.channel() != Channel.HTTP) {
            return Uni.createFrom().item(false);
        }
        return signals.pendingReconnect(device.deviceId())
                .map(signal -> publisher.publish(new SignalDelivered(SignalDelivered.SCHEMA_VERSION,
                        device.deviceId(), device.tenantId(), signal.reconnectCommandId(), clock.instant()))
                        .invoke(() -> signals.delivered(signal))
                        .onFailure().invoke(e -> metrics.counter("ingest.signals.delivery.unpublished").increment())
                        .onFailure().recoverWithNull()
                        .replaceWith(true))
                .orElseGet(() -> Uni.createFrom().item(false));
    }

    /**
     * Forgets the rate-limit state of devices that have been quiet for over a minute, and the rejection-record windows
     * of sources that have ended.
     */
    @Scheduled(every = "${heartbeat.ingest.rate-limiter-sweep-interval:60s}", delayed = "10s")
    void evictIdleRateLimits() {
        Instant now = clock.instant();
        int devices = rateLimiter.evictIdle(now);
        int sources = unauthenticatedRecords.evictIdle(now);
        Log.debugf("rate limiter forgot %d idle devices, rejection limiter %d idle sources", devices, sources);
    }

    private Uni<Outcome> refuse(Submission submission, Instant receivedAt, DeviceView device, String claimedId,
            Refusal refusal) {
        // keyed by the authenticated device, else the one the body claims, else the one the MQTT topic names
        String deviceId = device != null ? device.deviceId()
                : claimedId != null ? claimedId
                        : submission.pathDeviceId() == null || submission.pathDeviceId().isEmpty() ? null
                                : submission.pathDeviceId();
        counter("ingest.heartbeats.rejected", "reason", refusal.reason().name(), "channel",
                submission.channel().name()).increment();
        Throttle.Permit permit = logThrottle.permit(refusal.reason().name(), receivedAt);
        if (permit.allowed()) {
            Log.infof("refused a heartbeat of %s on %s: %s (%s)%s", deviceId == null ? "an unknown device" : deviceId,
                    submission.source(), refusal.reason(), refusal.detail(),
                    permit.suppressed() > 0 ? "; " + permit.suppressed() + " similar refusals not logged" : "");
        }
        if (!recordAllowed(submission, device, refusal, receivedAt)) {
            return Uni.createFrom().item(new Outcome(null, device, refusal, false));
        }
        HeartbeatRejected rejected = new HeartbeatRejected(HeartbeatRejected.SCHEMA_VERSION,
                UUID.randomUUID().toString(), deviceId, device == null ? null : device.tenantId(),
                submission.channel(), submission.source(), refusal.reason(), refusal.detail(),
                Excerpts.of(submission.body(), config.rejectedExcerptBytes()), receivedAt);
        Uni<Boolean> stored = Uni.createFrom().deferred(() -> publisher.publish(rejected)).replaceWith(true)
                .onFailure().invoke(e -> {
                    metrics.counter("ingest.rejections.unpublished").increment();
                    if (logThrottle.permit("unpublished", clock.instant()).allowed()) {
                        Log.warnf("could not publish a rejected heartbeat to Kafka: %s", e.getMessage());
                    }
                })
                .onFailure().recoverWithItem(false);
        if (submission.channel() == Channel.MQTT) {
            // the MQTT message is acknowledged only once its rejected record is stored
            return stored.map(ok -> new Outcome(null, device, refusal, ok && refusal.reason() != RejectReason.UNAVAILABLE));
        }
        // an HTTP device gets its answer now; the audit record follows once Kafka has it (failures are counted)
        stored.subscribe().with(ignored -> {
        });
        return Uni.createFrom().item(new Outcome(null, device, refusal, false));
    }

    /**
     * Whether the refusal becomes a record on heartbeats.rejected. Always, except for an HTTP request that did not
     * authenticate (on HTTP the credential is checked first, so no device means no valid credential): those get a
     * record only within their source's limit, and the rest are counted in ingest.rejections.suppressed.
     */
    private boolean recordAllowed(Submission submission, DeviceView device, Refusal refusal, Instant receivedAt) {
        if (submission.channel() != Channel.HTTP || device != null) {
            return true;
        }
        String source = submission.origin() == null ? "unknown" : submission.origin();
        Throttle.Permit permit = unauthenticatedRecords.permit(source, receivedAt);
        if (permit.suppressed() > 0 && logThrottle.permit("suppressed-records", receivedAt).allowed()) {
            Log.infof("%d refusals of unauthenticated requests from %s were not published in the previous %s",
                    permit.suppressed(), source, config.unauthenticatedRejections().window());
        }
        if (!permit.allowed()) {
            suppressed(refusal.reason()).increment();
        }
        return permit.allowed();
    }

    private Counter suppressed(RejectReason reason) {
        return counters.computeIfAbsent("ingest.rejections.suppressed|" + reason.name(),
                k -> Counter.builder("ingest.rejections.suppressed")
                        .description("Refusals of HTTP requests without a valid device credential that were answered"
                                + " but not published to heartbeats.rejected (over the per-source limit)")
                        .tag("reason", reason.name())
                        .register(metrics));
    }

    /** A counter by name and tag values, looked up once (the registry's own lookup is costly on every heartbeat). */
    private Counter counter(String name, String tag1, String value1, String tag2, String value2) {
        return counters.computeIfAbsent(name + '|' + value1 + '|' + value2,
                k -> metrics.counter(name, tag1, value1, tag2, value2));
    }

    private static String claimedDeviceId(Submission submission, Map<String, Object> fields) {
        if (submission.pathDeviceId() != null) {
            return submission.pathDeviceId();
        }
        return fields.get(HeartbeatValidator.DEVICE_ID) instanceof String id ? id : null;
    }

    private static String credentialInBody(Map<String, Object> fields) {
        if (fields.get(HeartbeatValidator.JWT_TOKEN) instanceof String jwt) {
            return jwt;
        }
        return fields.get(HeartbeatValidator.API_TOKEN) instanceof String token ? token : null;
    }

    private static final class Unreadable extends Exception {
        final Refusal refusal;

        Unreadable(Refusal refusal) {
            super(refusal.detail(), null, false, false);
            this.refusal = refusal;
        }
    }

    /** The UTF-8 byte-order mark, skipped at the start of a body. */
    private static final byte[] BOM = { (byte) 0xEF, (byte) 0xBB, (byte) 0xBF };

    private static Map<String, Object> parse(byte[] raw) throws Unreadable {
        byte[] body = withoutBom(raw);
        if (isBlank(body)) {
            return Map.of();
        }
        for (byte b : body) {
            // JSON is UTF-8 (RFC 8259): no NUL byte can occur in it, and UTF-16/32 (which the parser would guess
            // from NUL bytes) is not accepted
            if (b == 0) {
                throw new Unreadable(new Refusal(RejectReason.MALFORMED_JSON,
                        "the body must be UTF-8 JSON without NUL bytes"));
            }
        }
        if (body.length >= 2 && ((body[0] == (byte) 0xFE && body[1] == (byte) 0xFF)
                || (body[0] == (byte) 0xFF && body[1] == (byte) 0xFE))) {
            throw new Unreadable(new Refusal(RejectReason.MALFORMED_JSON, "the body must be UTF-8 JSON"));
        }
        JsonNode tree;
        try {
            tree = JSON.readTree(body);
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? ""
                    : " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")";
            throw new Unreadable(new Refusal(RejectReason.MALFORMED_JSON, "the body is not well-formed JSON" + where));
        } catch (IOException | RuntimeException e) {
            // whatever the shared mapper refuses (constraints, characters, duplicate keys) is a malformed body
            throw new Unreadable(new Refusal(RejectReason.MALFORMED_JSON, "the body could not be read as JSON"));
        }
        if (tree == null || !tree.isObject()) {
            throw new Unreadable(new Refusal(RejectReason.MALFORMED_JSON, "the body must be a JSON object"));
        }
        try {
            return JSON.convertValue(tree, OBJECT);
        } catch (RuntimeException e) {
            throw new Unreadable(new Refusal(RejectReason.MALFORMED_JSON, "the body could not be read as JSON"));
        }
    }

    private static byte[] withoutBom(byte[] body) {
        if (body.length >= 3 && body[0] == BOM[0] && body[1] == BOM[1] && body[2] == BOM[2]) {
            return java.util.Arrays.copyOfRange(body, 3, body.length);
        }
        return body;
    }

    private static boolean isBlank(byte[] body) {
        for (byte b : body) {
            if (b != ' ' && b != '\n' && b != '\r' && b != '\t') {
                return false;
            }
        }
        return true;
    }
}
