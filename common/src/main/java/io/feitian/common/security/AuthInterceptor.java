package io.feitian.common.security;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.util.Optional;
import java.util.Set;

/**
 * Authenticates bearer tokens and authorizes by role. Health checks and
 * server reflection stay open so probes work without credentials. The
 * principal is available to services through {@link #PRINCIPAL}.
 */
public final class AuthInterceptor implements ServerInterceptor {
  public static final Context.Key<Principal> PRINCIPAL = Context.key("feitian-principal");
  static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
  private static final String BEARER = "Bearer ";
  private static final Set<String> OPEN_SERVICES =
      Set.of("grpc.health.v1.Health", "grpc.reflection.v1.ServerReflection", "grpc.reflection.v1alpha.ServerReflection");

  private final TokenStore tokens;
  private final MethodPolicy policy;

  public AuthInterceptor(TokenStore tokens, MethodPolicy policy) {
    this.tokens = tokens;
    this.policy = policy;
  }

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
      ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
    String method = call.getMethodDescriptor().getFullMethodName();
    String service = call.getMethodDescriptor().getServiceName();
    if (OPEN_SERVICES.contains(service)) {
      return next.startCall(call, headers);
    }
    String header = headers.get(AUTHORIZATION);
    if (header == null || !header.startsWith(BEARER)) {
      return refuse(call, Status.UNAUTHENTICATED.withDescription("missing bearer token for " + method));
    }
    Optional<Principal> principal = tokens.lookup(header.substring(BEARER.length()).strip());
    if (principal.isEmpty()) {
      return refuse(call, Status.UNAUTHENTICATED.withDescription("unknown bearer token"));
    }
    Role required = policy.requiredRole(method);
    if (!principal.get().role().includes(required)) {
      return refuse(call, Status.PERMISSION_DENIED.withDescription(
          method + " needs role " + required.label() + "; "
              + principal.get().name() + " has " + principal.get().role().label()));
    }
    Context ctx = Context.current().withValue(PRINCIPAL, principal.get());
    return Contexts.interceptCall(ctx, call, headers, next);
  }

  private static <ReqT, RespT> ServerCall.Listener<ReqT> refuse(ServerCall<ReqT, RespT> call, Status status) {
    call.close(status, new Metadata());
    return new ServerCall.Listener<>() {};
  }

  /** The caller of the current call: anonymous admin when authentication is off. */
  public static Principal currentPrincipal() {
    Principal p = PRINCIPAL.get();
    return p == null ? Principal.ANONYMOUS_ADMIN : p;
  }
}
