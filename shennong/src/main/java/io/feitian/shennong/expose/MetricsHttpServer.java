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
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves {@code GET /metrics} for Prometheus to scrape, with the body the owning
 * daemon renders: the server knows nothing of the daemon's state or its locking, it calls
 * {@code metrics} (e.g. {@link PrometheusExposition#snapshot} on the daemon's loop, then
 * {@link PrometheusExposition#write}) once per scrape, on its own single thread, so scrapes never
 * pile up on the daemon.
 *
 * <p>With authentication on (tokens given), a scrape needs {@code Authorization: Bearer <token>}
 * of at least the reader role, checked by the same rule as every gRPC call ({@link BearerAuth}):
 * 401 without a known token, 403 for a role too low. With TLS on, it is HTTPS only, from the same
 * certificate, key and CA as the daemon's gRPC servers, asking for client certificates as they do
 * ({@link TlsSettings#sslContext}, {@link TlsSettings#serverParameters}); plain HTTP to the port
 * then fails the TLS handshake.
 *
 * <p>Lifecycle: {@link #start()} binds (port 0 picks a free port), {@link #close()} stops; each at
 * most once.
 */
public final class MetricsHttpServer implements Closeable {
  private static final Logger log = LoggerFactory.getLogger(MetricsHttpServer.class);
  public static final String PATH = "/metrics";
  private static final String WHAT = "GET " + PATH;

  private enum State { LATENT, STARTED, CLOSED }

  private final AtomicReference<State> state = new AtomicReference<>(State.LATENT);
  private final String host;
  private final int port;
  private final Supplier<byte[]> metrics;
  private final Optional<TokenStore> tokens;
  private final TlsSettings tls;
  private final ExecutorService thread;
  private HttpServer server;

  /**
   * @param metrics the body of a scrape, in {@link PrometheusExposition#CONTENT_TYPE}; called on
   *     the server's thread
   * @param security the process's: scrapes must present one of its tokens when authentication is
   *     on, and come over HTTPS when its TLS is
   */
  public MetricsHttpServer(String host, int port, Supplier<byte[]> metrics, SecuritySettings security) {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be between 0 and 65535, got " + port);
    }
    this.host = host;
    this.port = port;
    this.metrics = metrics;
    this.tokens = security.tokens();
    this.tls = security.tls();
    this.thread = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "metrics-http");
      t.setDaemon(true);
      return t;
    });
  }

  public MetricsHttpServer start() {
    if (!state.compareAndSet(State.LATENT, State.STARTED)) {
      throw new IllegalStateException("the metrics server was already started");
    }
    InetSocketAddress address = new InetSocketAddress(host, port);
    try {
      server = tls.enabled() ? https(address) : HttpServer.create(address, 0);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot serve " + PATH + " on " + host + ":" + port + ": " + e.getMessage(), e);
    }
    server.createContext("/", this::handle);
    server.setExecutor(thread);
    server.start();
    log.info("serving {} on {}://{}:{}", PATH, tls.enabled() ? "https" : "http", host, port());
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
      if (!PATH.equals(exchange.getRequestURI().getPath())) {
        reply(exchange, 404, "not found: Prometheus metrics are at " + PATH + "\n");
        return;
      }
      String method = exchange.getRequestMethod();
      if (!method.equals("GET") && !method.equals("HEAD")) {
        exchange.getResponseHeaders().set("Allow", "GET, HEAD");
        reply(exchange, 405, method + " is not allowed on " + PATH + "; use GET\n");
        return;
      }
      if (tokens.isPresent()) {
        BearerAuth.Outcome outcome = BearerAuth.check(tokens.get(),
            exchange.getRequestHeaders().getFirst("Authorization"), Role.READER, WHAT);
        if (outcome instanceof BearerAuth.Unauthenticated u) {
          exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"feitian\"");
          reply(exchange, 401, u.reason() + "\n");
          return;
        }
        if (outcome instanceof BearerAuth.Denied d) {
          reply(exchange, 403, d.reason() + "\n");
          return;
        }
      }
      byte[] body;
      try {
        body = metrics.get();
      } catch (RuntimeException e) {
        log.warn("cannot render {}", PATH, e);
        reply(exchange, 500, "cannot render metrics: " + e + "\n");
        return;
      }
      exchange.getResponseHeaders().set("Content-Type", PrometheusExposition.CONTENT_TYPE);
      send(exchange, 200, body);
    }
  }

  private static void reply(HttpExchange exchange, int status, String text) throws IOException {
    exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
    send(exchange, status, text.getBytes(StandardCharsets.UTF_8));
  }

  private static void send(HttpExchange exchange, int status, byte[] body) throws IOException {
    boolean head = exchange.getRequestMethod().equals("HEAD");
    exchange.sendResponseHeaders(status, head ? -1 : body.length == 0 ? -1 : body.length);
    if (!head && body.length > 0) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
  }

  /** Stops serving at once (a scrape in progress is cut) and ends the server's thread. */
  @Override
  public void close() {
    if (state.getAndSet(State.CLOSED) == State.STARTED) {
      server.stop(0);
    }
    thread.shutdownNow();
  }
}
