package io.heartbeat.localstack;

import java.security.PrivateKey;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.NumericDate;
import org.jose4j.lang.JoseException;

/**
 * Mints user bearer tokens (RS256) the way an identity provider would: {@code sub}, {@code upn}, {@code groups}
 * ({@code admin}, {@code operator}, {@code viewer}) and the {@code tenant} claim. For the local stack and tests only.
 */
public final class DevTokens {

    /** Issuer of the tokens the local stack and the tests mint; the services verify it. */
    public static final String ISSUER = "https://heartbeat.local/dev-idp";
    public static final String TENANT_CLAIM = "tenant";
    /** The {@code aud} every service requires of users' tokens ({@code mp.jwt.verify.audiences}). */
    public static final String AUDIENCE = "heartbeat-platform";

    private final PrivateKey signingKey;
    private final String issuer;
    private final String audience;

    /** Tokens of another issuer or for another audience: what the services must refuse. */
    public DevTokens(PrivateKey signingKey, String issuer, String audience) {
        this.signingKey = signingKey;
        this.issuer = issuer;
        this.audience = audience;
    }

    public DevTokens(PrivateKey signingKey, String issuer) {
        this(signingKey, issuer, AUDIENCE);
    }

    public DevTokens(PrivateKey signingKey) {
        this(signingKey, ISSUER);
    }

    public String admin() {
        return issue("local-admin", "local", List.of("admin"), Duration.ofDays(30));
    }

    public String operator(String tenant) {
        return issue("operator@" + tenant, tenant, List.of("operator"), Duration.ofHours(1));
    }

    public String viewer(String tenant) {
        return issue("viewer@" + tenant, tenant, List.of("viewer"), Duration.ofHours(1));
    }

    public String issue(String subject, String tenant, List<String> groups, Duration lifetime) {
        Instant now = Instant.now();
        return sign(subject, tenant, groups, now, now.plus(lifetime));
    }

    /** A token whose validity ended {@code ago} ago (for the tests of expiry). */
    public String expired(String subject, String tenant, List<String> groups, Duration ago) {
        Instant end = Instant.now().minus(ago);
        return sign(subject, tenant, groups, end.minus(Duration.ofHours(1)), end);
    }

    private String sign(String subject, String tenant, List<String> groups, Instant issuedAt, Instant expiresAt) {
        JwtClaims claims = new JwtClaims();
        claims.setIssuer(issuer);
        claims.setAudience(audience);
        claims.setSubject(subject);
        claims.setClaim("upn", subject);
        claims.setJwtId(UUID.randomUUID().toString());
        claims.setIssuedAt(NumericDate.fromSeconds(issuedAt.getEpochSecond()));
        claims.setExpirationTime(NumericDate.fromSeconds(expiresAt.getEpochSecond()));
        claims.setStringListClaim("groups", groups);
        if (tenant != null) {
            claims.setClaim(TENANT_CLAIM, tenant);
        }
        JsonWebSignature jws = new JsonWebSignature();
        jws.setPayload(claims.toJson());
        jws.setKey(signingKey);
        jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.RSA_USING_SHA256);
        jws.setHeader("typ", "JWT");
        try {
            return jws.getCompactSerialization();
        } catch (JoseException e) {
            throw new IllegalStateException("could not sign a dev token", e);
        }
    }
}
