package io.feitian.shennong.expose;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import io.feitian.common.security.BearerAuth;
import io.feitian.common.security.Role;
import io.feitian.common.security.SecuritySettings;
import io.feitian.common.security.TlsSettings;
import io.feitian.common.security.TokenStore;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small read-only HTTP server (GET and HEAD) on the JDK's HttpServer, for a daemon's /metrics
 * ({@link MetricsHttpServer}) and analysis-service's page: it knows nothing of the daemon, it calls
 * the {@link Handler} once per request on its own single thread, so requests never pile up on the
 * daemon.
 *
 * <p>With authentication on (tokens given), a request for a path that is not {@code open} needs
 * {@code Authorization: Bearer <token>} of at least the reader role, checked by the same rule as
 * every gRPC call ({@link BearerAuth}): 401 without a known token, 403 for a role too low. With TLS
 * on, it is HTTPS only, from the same certificate, key and CA as the daemon's gRPC servers, asking
 * for client certificates as they do ({@link TlsSettings#sslContext}, {@link
 * TlsSettings#serverParameters}); plain HTTP to the port then fails the TLS handshake.
 *
 * <p>Lifecycle: {@link #start()} binds (port 0 picks a free port), {@link #close()} stops; each at
 * most once.
 */
public final class ReadOnlyHttpServer implements Closeable {
  private static final Logger log = LoggerFactory.getLogger(ReadOnlyHttpServer.class);

  /** What to answer. */
  public record Reply(int status, String contentType, byte[] body) {
    public static Reply text(int status, String text) {
      return new Reply(status, "text/plain; charset=utf-8", text.getBytes(StandardCharsets.UTF_8));
    }
  }

  /** Answers a GET of {@code path} with the raw query string ({@code null} without one). */
  @FunctionalInterface
  public interface Handler {
    Reply handle(String path, String query);
  }

  private enum State { LATENT, STARTED, CLOSED }

  private final AtomicReference<State> state = new AtomicReference<>(State.LATENT);
  private final String name;
  private final String host;
  private final int port;
  private final Handler handler;
  private final Predicate<String> open;
  private final Optional<TokenStore> tokens;
  private final TlsSettings tls;
  private final ExecutorService thread;
  private HttpServer server;

  /**
   * @param name what it serves, for the log and its thread's name
   * @param open the paths served without a token (pages and scripts that hold no data)
   * @param security the process's: requests must present one of its tokens when authentication is
   *     on, and come over HTTPS when its TLS is
   */
  public ReadOnlyHttpServer(String name, String host, int port, Handler handler, Predicate<String> open,
      SecuritySettings security) {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be between 0 and 65535, got " + port);
    }
    this.name = name;
    this.host = host;
    this.port = port;
    this.handler = handler;
    this.open = open;
    this.tokens = security.tokens();
    this.tls = security.tls();
    this.thread = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, name + "-http");
      t.setDaemon(true);
      return t;
    });
  }

  public ReadOnlyHttpServer start() {
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
    server.setExecutor(thread);
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
      if (!method.equals("GET") && !method.equals("HEAD")) {
        exchange.getResponseHeaders().set("Allow", "GET, HEAD");
        send(exchange, Reply.text(405, method + " is not allowed on " + path + "; use GET\n"));
        return;
      }
      if (tokens.isPresent() && !open.test(path)) {
        BearerAuth.Outcome outcome = BearerAuth.check(tokens.get(),
            exchange.getRequestHeaders().getFirst("Authorization"), Role.READER, "GET " + path);
        if (outcome instanceof BearerAuth.Unauthenticated u) {
          exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"feitian\"");
          send(exchange, Reply.text(401, u.reason() + "\n"));
          return;
        }
        if (outcome instanceof BearerAuth.Denied d) {
          send(exchange, Reply.text(403, d.reason() + "\n"));
          return;
        }
      }
      Reply reply;
      try {
        reply = handler.handle(path, exchange.getRequestURI().getRawQuery());
      } catch (RuntimeException e) {
        log.warn("cannot answer GET {}", path, e);
        reply = Reply.text(500, "cannot answer GET " + path + ": " + e + "\n");
      }
      send(exchange, reply);
    }
  }

  private static void send(HttpExchange exchange, Reply reply) throws IOException {
    boolean head = exchange.getRequestMethod().equals("HEAD");
    byte[] body = reply.body();
    exchange.getResponseHeaders().set("Content-Type", reply.contentType());
    exchange.sendResponseHeaders(reply.status(), head ? -1 : body.length == 0 ? -1 : body.length);
    if (!head && body.length > 0) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
  }

  /** Stops serving at once (a request in progress is cut) and ends the server's thread. */
  @Override
  public void close() {
    if (state.getAndSet(State.CLOSED) == State.STARTED) {
      server.stop(0);
    }
    thread.shutdownNow();
  }
}
