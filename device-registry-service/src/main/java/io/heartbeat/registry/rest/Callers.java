package io.heartbeat.registry.rest;

import java.util.Set;

import jakarta.enterprise.context.RequestScoped;

import org.eclipse.microprofile.jwt.JsonWebToken;

import io.heartbeat.registry.service.Caller;
import io.heartbeat.registry.service.DomainException;

/** The caller of the current request, from its verified bearer token. */
@RequestScoped
public class Callers {

    /** The claim that names the user's tenant. */
    public static final String TENANT_CLAIM = "tenant";

    private final JsonWebToken jwt;

    public Callers(JsonWebToken jwt) {
        this.jwt = jwt;
    }

    public Caller current() {
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
