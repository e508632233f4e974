package io.feitian.common.security;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.util.Set;

/**
 * Authenticates bearer tokens and authorizes by role ({@link BearerAuth}). Health checks and
 * server reflection stay open so probes work without credentials. The
 * principal is available to services through {@link #PRINCIPAL}.
 */
public final class AuthInterceptor implements ServerInterceptor {
  public static final Context.Key<Principal> PRINCIPAL = Context.key("feitian-principal");
  static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
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
    BearerAuth.Outcome outcome = BearerAuth.check(tokens, headers.get(AUTHORIZATION), policy.requiredRole(method),
        method);
    if (outcome instanceof BearerAuth.Allowed a) {
      return Contexts.interceptCall(Context.current().withValue(PRINCIPAL, a.principal()), call, headers, next);
    }
    return refuse(call, outcome instanceof BearerAuth.Denied d ? Status.PERMISSION_DENIED.withDescription(d.reason())
        : Status.UNAUTHENTICATED.withDescription(((BearerAuth.Unauthenticated) outcome).reason()));
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
