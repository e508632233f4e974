package io.feitian.common.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import io.feitian.common.security.BearerAuth;
import io.feitian.common.security.Principal;
import io.feitian.common.security.Role;
import io.feitian.common.security.SecuritySettings;
import io.feitian.common.security.TlsSettings;
import io.feitian.common.security.TokenStore;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A daemon's small HTTP server on the JDK's HttpServer: /metrics (shennong's MetricsHttpServer),
 * analysis-service's page, dayu-server's web UI. It knows nothing of the daemon: it calls the
 * {@link Handler} once per request and one request at a time, so requests never pile up on the
 * daemon.
 *
 * <p>The connections themselves (TLS handshakes, reading requests, writing replies) are served on
 * up to {@link #CONNECTION_THREADS} threads of its own, made as needed. One would not do with TLS:
 * the JDK's server reads a new connection's first request on the thread that runs the exchange,
 * right after the handshake, and waits there for it; a browser opens spare connections ahead of
 * need (Chromium does, and was seen to leave one unused for over 30 s), and with one thread every
 * other request waited behind such a connection: the page hung. More connections than threads at once
 * are closed at once (the JDK's server does so when its executor refuses), not queued.
 *
 * <p>It answers the methods it was given ({@link #READ_ONLY}: GET and HEAD), others with 405. With
 * authentication on (tokens given), a request needs {@code Authorization: Bearer <token>} of the role
 * its {@link Access} names, checked by the same rule as every gRPC call ({@link BearerAuth}): 401
 * without a known token, 403 for a role too low; the handler sees the caller. Only a header carries
 * the token, never a cookie, so another site's page cannot make a browser send it (no CSRF). With TLS
 * on, it is HTTPS only, from the same certificate, key and CA as the daemon's gRPC servers, asking for
 * client certificates as they do ({@link TlsSettings#sslContext}, {@link TlsSettings#serverParameters});
 * plain HTTP to the port then fails the TLS handshake.
 *
 * <p>Lifecycle: {@link #start()} binds (port 0 picks a free port), {@link #close()} stops; each at
 * most once.
 */
public final class DaemonHttpServer implements Closeable {
  private static final Logger log = LoggerFactory.getLogger(DaemonHttpServer.class);
  public static final Set<String> READ_ONLY = Set.of("GET", "HEAD");
  /** The largest request body taken (actions carry their arguments in the query; a body is small). */
  static final int MAX_BODY_BYTES = 64 * 1024;
  /** The most connections served at once (Chromium opens up to six to a server). */
  static final int CONNECTION_THREADS = 16;
  /** The caller of a path served to anyone while authentication is on. */
  private static final Principal ANYONE = new Principal("anonymous", Role.READER);

  /** What to answer. */
  public record Reply(int status, String contentType, byte[] body) {
    public static Reply text(int status, String text) {
      return new Reply(status, "text/plain; charset=utf-8", text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * A gRPC refusal as HTTP, with its description: INVALID_ARGUMENT 400, NOT_FOUND 404,
     * ALREADY_EXISTS and FAILED_PRECONDITION 409, UNAVAILABLE 503 (a standby naming the leader),
     * the rest 500.
     */
    public static Reply of(StatusRuntimeException e) {
      Status s = e.getStatus();
      int status = switch (s.getCode()) {
        case INVALID_ARGUMENT, OUT_OF_RANGE -> 400;
        case UNAUTHENTICATED -> 401;
        case PERMISSION_DENIED -> 403;
        case NOT_FOUND -> 404;
        case ALREADY_EXISTS, FAILED_PRECONDITION, ABORTED -> 409;
        case UNAVAILABLE -> 503;
        case DEADLINE_EXCEEDED -> 504;
        default -> 500;
      };
      return text(status, (s.getDescription() == null ? s.getCode().name() : s.getDescription()) + "\n");
    }

    /** A file of the classpath (a page, a script, a WebJar's asset) as a 200. */
    public static Reply resource(String name, String contentType) {
      try (InputStream in = DaemonHttpServer.class.getClassLoader().getResourceAsStream(name)) {
        if (in == null) {
          throw new IllegalStateException("the classpath lacks " + name);
        }
        return new Reply(200, contentType, in.readAllBytes());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /** One request: {@code query} is the raw query string ({@code null} without one), {@code caller} who sent it. */
  public record Request(String method, String path, String query, byte[] body, Principal caller) {
    /** The query's parameters, decoded; a repeated name keeps its last value. */
    public Map<String, String> params() {
      return params(query);
    }

    public static Map<String, String> params(String raw) {
      Map<String, String> out = new HashMap<>();
      if (raw != null && !raw.isEmpty()) {
        for (String pair : raw.split("&")) {
          int eq = pair.indexOf('=');
          String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
          out.put(key, eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
      }
      return out;
    }
  }

  /** Answers a request the server let through. */
  @FunctionalInterface
  public interface Handler {
    Reply handle(Request request);
  }

  /** The role a request needs when authentication is on; empty for what anyone may fetch (pages, scripts). */
  @FunctionalInterface
  public interface Access {
    Optional<Role> required(String method, String path);

    /** A reader's token for everything but the {@code open} paths. */
    static Access readerExcept(Predicate<String> open) {
      return (method, path) -> open.test(path) ? Optional.empty() : Optional.of(Role.READER);
    }
  }

  private enum State { LATENT, STARTED, CLOSED }

  private final AtomicReference<State> state = new AtomicReference<>(State.LATENT);
  private final String name;
  private final String host;
  private final int port;
  private final Set<String> methods;
  private final Handler handler;
  private final Access access;
  private final Optional<TokenStore> tokens;
  private final TlsSettings tls;
  private final ThreadPoolExecutor connections;
  /** Held while the handler runs: one request at a time reaches it. */
  private final Object handling = new Object();
  private HttpServer server;

  /** A read-only server (GET and HEAD) that wants a reader's token for all but the {@code open} paths. */
  public DaemonHttpServer(String name, String host, int port, Handler handler, Predicate<String> open,
      SecuritySettings security) {
    this(name, host, port, READ_ONLY, handler, Access.readerExcept(open), security);
  }

  /**
   * @param name what it serves, for the log and its threads' names
   * @param methods the HTTP methods answered (HEAD is answered as GET without the body)
   * @param access the role each request needs when authentication is on
   * @param security the process's: requests must present one of its tokens when authentication is
   *     on, and come over HTTPS when its TLS is
   */
  public DaemonHttpServer(String name, String host, int port, Set<String> methods, Handler handler, Access access,
      SecuritySettings security) {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be between 0 and 65535, got " + port);
    }
    this.name = name;
    this.host = host;
    this.port = port;
    this.methods = new TreeSet<>(methods);
    this.handler = handler;
    this.access = access;
    this.tokens = security.tokens();
    this.tls = security.tls();
    AtomicInteger threads = new AtomicInteger();
    this.connections = new ThreadPoolExecutor(0, CONNECTION_THREADS, 30, TimeUnit.SECONDS, new SynchronousQueue<>(),
        r -> {
          Thread t = new Thread(r, name + "-http-" + threads.incrementAndGet());
          t.setDaemon(true);
          return t;
        });
  }

  public DaemonHttpServer start() {
    if (!state.compareAndSet(State.LATENT, State.STARTED)) {
      throw new IllegalStateException("the " + name + " server was already started");
    }
    InetSocketAddress address = new InetSocketAddress(host, port);
    try {
      server = tls.enabled() ? https(address) : HttpServer.create(address, 0);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot serve " + name + " on " + host + ":" + port + ": " + e.getMessage(), e);
    }
    server.createContext("/", this::handle);
    server.setExecutor(connections);
    server.start();
    log.info("serving {} on {}://{}:{}", name, tls.enabled() ? "https" : "http", host, port());
    return this;
  }

  private HttpsServer https(InetSocketAddress address) throws IOException {
    SSLContext context = tls.sslContext();
    HttpsServer https = HttpsServer.create(address, 0);
    https.setHttpsConfigurator(new HttpsConfigurator(context) {
      @Override
      public void configure(HttpsParameters params) {
        params.setSSLParameters(tls.serverParameters(context));
      }
    });
    return https;
  }

  /** The bound port (useful when 0 was asked for). */
  public int port() {
    return server.getAddress().getPort();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String path = exchange.getRequestURI().getPath();
      String method = exchange.getRequestMethod();
      String what = method + " " + path;
      if (!methods.contains(method)) {
        exchange.getResponseHeaders().set("Allow", String.join(", ", methods));
        send(exchange, Reply.text(405, method + " is not allowed on " + path + "; use " + String.join(" or ", methods)
            + "\n"));
        return;
      }
      Principal caller = Principal.ANONYMOUS_ADMIN;
      Optional<Role> required = access.required(method.equals("HEAD") ? "GET" : method, path);
      if (tokens.isPresent()) {
        caller = ANYONE;
        if (required.isPresent()) {
          BearerAuth.Outcome outcome = BearerAuth.check(tokens.get(),
              exchange.getRequestHeaders().getFirst("Authorization"), required.get(), what);
          if (outcome instanceof BearerAuth.Unauthenticated u) {
            exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"feitian\"");
            send(exchange, Reply.text(401, u.reason() + "\n"));
            return;
          }
          if (outcome instanceof BearerAuth.Denied d) {
            send(exchange, Reply.text(403, d.reason() + "\n"));
            return;
          }
          caller = ((BearerAuth.Allowed) outcome).principal();
        }
      }
      byte[] body = body(exchange);
      if (body == null) {
        send(exchange, Reply.text(413, "the body of " + what + " is over " + MAX_BODY_BYTES + " bytes\n"));
        return;
      }
      Reply reply;
      try {
        Request request = new Request(method, path, exchange.getRequestURI().getRawQuery(), body, caller);
        synchronized (handling) {
          reply = handler.handle(request);
        }
      } catch (RuntimeException e) {
        log.warn("cannot answer {}", what, e);
        reply = Reply.text(500, "cannot answer " + what + ": " + e + "\n");
      }
      send(exchange, reply);
    }
  }

  /** The request's body, or null when it is longer than {@link #MAX_BODY_BYTES}. */
  private static byte[] body(HttpExchange exchange) throws IOException {
    try (InputStream in = exchange.getRequestBody()) {
      byte[] body = in.readNBytes(MAX_BODY_BYTES + 1);
      return body.length > MAX_BODY_BYTES ? null : body;
    }
  }

  private static void send(HttpExchange exchange, Reply reply) throws IOException {
    boolean head = exchange.getRequestMethod().equals("HEAD");
    byte[] body = reply.body();
    exchange.getResponseHeaders().set("Content-Type", reply.contentType());
    // Pages and data change under the operator's eyes: never show a cached copy.
    exchange.getResponseHeaders().set("Cache-Control", "no-store");
    exchange.sendResponseHeaders(reply.status(), head ? -1 : body.length == 0 ? -1 : body.length);
    if (!head && body.length > 0) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
  }

  /** Stops serving at once (a request in progress is cut) and ends the server's threads. */
  @Override
  public void close() {
    if (state.getAndSet(State.CLOSED) == State.STARTED) {
      server.stop(0);
    }
    connections.shutdownNow();
  }
}
