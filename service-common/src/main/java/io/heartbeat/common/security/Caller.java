package io.heartbeat.common.security;

import java.util.Set;

/**
 * Who is calling, from their bearer token: subject, tenant claim and groups. Viewers read; operators manage their
 * tenant's devices; admins manage profiles and see every tenant.
 */
public record Caller(String subject, String tenant, Set<String> groups) {

    public static final String ADMIN = "admin";
    public static final String OPERATOR = "operator";
    public static final String VIEWER = "viewer";

    public boolean isAdmin() {
        return groups.contains(ADMIN);
    }

    /** Whether this caller may see resources of {@code tenantId}. */
    public boolean sees(String tenantId) {
        return isAdmin() || (tenant != null && tenant.equals(tenantId));
    }

    /** The tenant a list is restricted to; null (every tenant) for admins who ask for no tenant. */
    public String scope(String requestedTenant) {
        if (isAdmin()) {
            return requestedTenant;
        }
        return tenant;
    }
}
