package io.heartbeat.common.security;

import java.util.Set;

import jakarta.enterprise.context.RequestScoped;
import jakarta.enterprise.inject.Instance;

import org.eclipse.microprofile.jwt.JsonWebToken;

import io.heartbeat.common.error.DomainException;

/**
 * The caller of the current request, from its verified bearer token. The token is looked up lazily, so a service
 * without user authentication (no smallrye-jwt) can still carry this jar.
 */
@RequestScoped
public class Callers {

    /** The claim that names the user's tenant. */
    public static final String TENANT_CLAIM = "tenant";

    private final Instance<JsonWebToken> token;

    public Callers(Instance<JsonWebToken> token) {
        this.token = token;
    }

    public Caller current() {
        JsonWebToken jwt = token.get();
        Object claim = jwt.getClaim(TENANT_CLAIM);
        String tenant = claim == null ? null : claim.toString().replaceAll("^\"|\"$", "");
        Set<String> groups = jwt.getGroups() == null ? Set.of() : jwt.getGroups();
        Caller caller = new Caller(jwt.getName(), tenant, groups);
        if (!caller.isAdmin() && (tenant == null || tenant.isBlank())) {
            throw new DomainException.Forbidden("the token carries no '" + TENANT_CLAIM + "' claim");
        }
        return caller;
    }
}
