package io.feitian.dayu.server;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.util.JsonFormat;
import io.feitian.common.grpc.FutureObserver;
import io.feitian.common.http.DaemonHttpServer.Reply;
import io.feitian.common.http.DaemonHttpServer.Request;
import io.feitian.common.security.AuthInterceptor;
import io.feitian.common.security.MethodPolicy;
import io.feitian.common.security.Role;
import io.feitian.proto.dayu.v1.DayuServiceGrpc;
import io.feitian.proto.dayu.v1.GetClusterInfoRequest;
import io.feitian.proto.dayu.v1.GetParamsRequest;
import io.feitian.proto.dayu.v1.GetRolloutRequest;
import io.feitian.proto.dayu.v1.ListClustersRequest;
import io.feitian.proto.dayu.v1.ListModulesRequest;
import io.feitian.proto.dayu.v1.ListRolloutsRequest;
import io.feitian.proto.dayu.v1.ParamsDiffRequest;
import io.feitian.proto.dayu.v1.ParamsHistoryRequest;
import io.feitian.proto.dayu.v1.RolloutCommand;
import io.feitian.proto.dayu.v1.RolloutServiceGrpc;
import io.grpc.Context;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * What dayu-server serves over HTTP (docs/DAYU.md, "The web UI"): the page ({@code /}, its script
 * and style, shipped in the jar) and JSON under {@code /api/}. Each JSON path is one call of the
 * operator API, made on the very service objects gRPC calls ({@link DayuService}, {@link RolloutApi}),
 * as the caller the token names: the same checks, the same refusals, and the role the gRPC method
 * needs ({@link DayuServer#methodPolicy()}: reader for the views, admin for the rollout commands).
 * The page and its files hold no data and need no token.
 *
 * <p>A query parameter that is missing or malformed is 400 naming it; the API's refusals map as
 * {@link Reply#of} says (INVALID_ARGUMENT 400, NOT_FOUND 404, FAILED_PRECONDITION 409); a standby
 * answers 503 naming the leader.
 */
final class DayuWeb {
  static final Set<String> METHODS = Set.of("GET", "HEAD", "POST");
  private static final Map<String, String[]> STATIC = Map.of(
      "/", new String[] {"dayu-web/index.html", "text/html; charset=utf-8"},
      "/dayu.js", new String[] {"dayu-web/dayu.js", "text/javascript; charset=utf-8"},
      "/dayu.css", new String[] {"dayu-web/dayu.css", "text/css; charset=utf-8"});
  private static final JsonFormat.Printer JSON = JsonFormat.printer().omittingInsignificantWhitespace();
  private static final String DAYU = DayuServiceGrpc.SERVICE_NAME + "/";
  private static final String ROLLOUT = RolloutServiceGrpc.SERVICE_NAME + "/";

  /** A JSON path: its HTTP method, the gRPC method it calls (whose role it needs), and the call. */
  private record Route(String method, String grpcMethod, Function<Map<String, String>, MessageOrBuilder> call) {}

  private final Map<String, Route> routes = new LinkedHashMap<>();
  private final MethodPolicy policy;
  private final Supplier<Optional<Status>> refusal;

  /**
   * @param refusal empty while this server leads, else the status a standby answers (naming the leader)
   */
  DayuWeb(DayuService dayu, RolloutApi rollouts, MethodPolicy policy, Supplier<Optional<Status>> refusal) {
    this.policy = policy;
    this.refusal = refusal;
    get("/api/clusters", DAYU + "ListClusters",
        q -> unary(dayu::listClusters, ListClustersRequest.getDefaultInstance()));
    get("/api/cluster", DAYU + "GetClusterInfo", q -> unary(dayu::getClusterInfo,
        GetClusterInfoRequest.newBuilder().setCluster(required(q, "cluster")).build()));
    get("/api/modules", DAYU + "ListModules", q -> unary(dayu::listModules, ListModulesRequest.getDefaultInstance()));
    get("/api/params", DAYU + "GetParams", q -> {
      GetParamsRequest.Builder r = GetParamsRequest.newBuilder().setCluster(required(q, "cluster"))
          .setModule(required(q, "module")).setNode(q.getOrDefault("node", ""));
      if (q.containsKey("revision")) {
        r.setRevision(number(q, "revision"));
      }
      return unary(dayu::getParams, r.build());
    });
    get("/api/params/history", DAYU + "ParamsHistory", q -> unary(dayu::paramsHistory,
        ParamsHistoryRequest.newBuilder().setCluster(required(q, "cluster")).setModule(q.getOrDefault("module", ""))
            .build()));
    get("/api/params/diff", DAYU + "ParamsDiff", q -> unary(dayu::paramsDiff,
        ParamsDiffRequest.newBuilder().setCluster(required(q, "cluster")).setFromRevision(number(q, "from"))
            .setToRevision(number(q, "to")).build()));
    get("/api/rollouts", ROLLOUT + "ListRollouts", q -> unary(rollouts::listRollouts,
        ListRolloutsRequest.newBuilder().setCluster(required(q, "cluster")).build()));
    get("/api/rollout", ROLLOUT + "GetRollout", q -> unary(rollouts::getRollout,
        GetRolloutRequest.newBuilder().setId(number(q, "id")).build()));
    routes.put("/api/rollout/command", new Route("POST", ROLLOUT + "Command", q -> unary(rollouts::command,
        RolloutCommand.newBuilder().setId(number(q, "id")).setVerb(verb(required(q, "verb"))).build())));
  }

  private void get(String path, String grpcMethod, Function<Map<String, String>, MessageOrBuilder> call) {
    routes.put(path, new Route("GET", grpcMethod, call));
  }

  /** The role a request needs: none for the page's files, the gRPC method's for the JSON, a reader's to learn of a 404. */
  Optional<Role> required(String method, String path) {
    if (STATIC.containsKey(path)) {
      return Optional.empty();
    }
    Route route = routes.get(path);
    return Optional.of(route == null ? Role.READER : policy.requiredRole(route.grpcMethod()));
  }

  Reply handle(Request request) {
    String path = request.path();
    String[] file = STATIC.get(path);
    String method = request.method().equals("HEAD") ? "GET" : request.method();
    if (file != null && method.equals("GET")) {
      return Reply.resource(file[0], file[1]);
    }
    Route route = routes.get(path);
    if (route == null) {
      return Reply.text(404, "not found: the page is at /, the data at " + String.join(", ", routes.keySet()) + "\n");
    }
    if (!route.method().equals(method)) {
      return Reply.text(405, request.method() + " is not allowed on " + path + "; use " + route.method() + "\n");
    }
    Optional<Status> standby = refusal.get();
    if (standby.isPresent()) {
      return Reply.of(standby.get().asRuntimeException());
    }
    try {
      Map<String, String> q = request.params();
      // The caller as gRPC's AuthInterceptor would have set it: DayuService records writes under its name.
      MessageOrBuilder answer = Context.current().withValue(AuthInterceptor.PRINCIPAL, request.caller())
          .call(() -> route.call().apply(q));
      return new Reply(200, "application/json", JSON.print(answer).getBytes(StandardCharsets.UTF_8));
    } catch (StatusRuntimeException e) {
      return Reply.of(e);
    } catch (IllegalArgumentException e) {
      return Reply.text(400, e.getMessage() + "\n");
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException(e);
    } catch (Exception e) {
      return Reply.of(Statuses.of(e));
    }
  }

  /**
   * One unary call on a gRPC service object, answered before it returns (DayuService.answer sends
   * its answer or refusal at once): the answer, or the refusal thrown.
   */
  private static <Q, A> A unary(BiConsumer<Q, StreamObserver<A>> method, Q request) {
    CompletableFuture<A> answer = new CompletableFuture<>();
    method.accept(request, FutureObserver.completing(answer));
    if (!answer.isDone()) {
      throw new IllegalStateException("the call did not answer at once");
    }
    try {
      return answer.getNow(null);
    } catch (CompletionException e) {
      throw Statuses.of(e.getCause());
    }
  }

  private static String required(Map<String, String> q, String name) {
    String v = q.get(name);
    if (v == null || v.isEmpty()) {
      throw new IllegalArgumentException(name + " is required");
    }
    return v;
  }

  private static long number(Map<String, String> q, String name) {
    String v = required(q, name);
    try {
      return Long.parseLong(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " must be a whole number, got \"" + v + "\"");
    }
  }

  private static RolloutCommand.Verb verb(String v) {
    try {
      RolloutCommand.Verb verb = RolloutCommand.Verb.valueOf(v.toUpperCase(Locale.ROOT));
      if (verb != RolloutCommand.Verb.VERB_UNSPECIFIED && verb != RolloutCommand.Verb.UNRECOGNIZED) {
        return verb;
      }
    } catch (IllegalArgumentException e) {
      // named below
    }
    throw new IllegalArgumentException("verb must be pause, resume, approve, abort or rollback, got \"" + v + "\"");
  }
}
