package io.feitian.common.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The caller check shared by the gRPC interceptor and the HTTP servers. */
class BearerAuthTest {
  private static final TokenStore TOKENS = new TokenStore(Map.of(
      "reader-token-0123456789", new Principal("dash", Role.READER),
      "admin-token-01234567890", new Principal("ops", Role.ADMIN)));

  @Test
  void aKnownTokenWithTheRoleIsAllowedAndOthersAreToldWhy() {
    assertThat(BearerAuth.check(TOKENS, "Bearer reader-token-0123456789", Role.READER, "GET /metrics"))
        .isEqualTo(new BearerAuth.Allowed(new Principal("dash", Role.READER)));
    assertThat(BearerAuth.check(TOKENS, "Bearer  admin-token-01234567890 ", Role.ADMIN, "x"))
        .isEqualTo(new BearerAuth.Allowed(new Principal("ops", Role.ADMIN)));
    assertThat(BearerAuth.check(TOKENS, null, Role.READER, "GET /metrics"))
        .isEqualTo(new BearerAuth.Unauthenticated("missing bearer token for GET /metrics"));
    assertThat(BearerAuth.check(TOKENS, "Basic abc", Role.READER, "GET /metrics"))
        .isInstanceOf(BearerAuth.Unauthenticated.class);
    assertThat(BearerAuth.check(TOKENS, "Bearer nope-nope-nope-nope", Role.READER, "GET /metrics"))
        .isEqualTo(new BearerAuth.Unauthenticated("unknown bearer token"));
    assertThat(BearerAuth.check(TOKENS, "Bearer reader-token-0123456789", Role.ADMIN, "pkg.S/Kill"))
        .isEqualTo(new BearerAuth.Denied("pkg.S/Kill needs role admin; dash has reader"));
  }
}
