package io.feitian.common.security;

import java.util.Optional;

/**
 * The rule every Feitian server applies to a caller, whatever its protocol: an
 * {@code Authorization: Bearer <token>} header naming a known token, whose role includes the one
 * required. {@link AuthInterceptor} answers gRPC calls with it, the HTTP servers (/metrics) their
 * requests, so both refuse the same callers with the same words.
 */
public final class BearerAuth {
  private static final String BEARER = "Bearer ";

  /** What the check decided. */
  public sealed interface Outcome {}

  /** The caller may go on, as {@code principal}. */
  public record Allowed(Principal principal) implements Outcome {}

  /** No token, or an unknown one (gRPC UNAUTHENTICATED, HTTP 401). */
  public record Unauthenticated(String reason) implements Outcome {}

  /** A known caller whose role does not allow this (gRPC PERMISSION_DENIED, HTTP 403). */
  public record Denied(String reason) implements Outcome {}

  private BearerAuth() {}

  /**
   * Checks the value of an Authorization header (null when there was none) for {@code what} (a
   * method or a path, named in the reasons), which needs {@code required}.
   */
  public static Outcome check(TokenStore tokens, String authorization, Role required, String what) {
    if (authorization == null || !authorization.startsWith(BEARER)) {
      return new Unauthenticated("missing bearer token for " + what);
    }
    Optional<Principal> principal = tokens.lookup(authorization.substring(BEARER.length()).strip());
    if (principal.isEmpty()) {
      return new Unauthenticated("unknown bearer token");
    }
    Principal p = principal.get();
    if (!p.role().includes(required)) {
      return new Denied(what + " needs role " + required.label() + "; " + p.name() + " has " + p.role().label());
    }
    return new Allowed(p);
  }
}
