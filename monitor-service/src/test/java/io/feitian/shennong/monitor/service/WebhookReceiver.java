package io.feitian.shennong.monitor.service;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** A real HTTP server taking webhook posts: it answers the first {@code failFirst} with 503, then 200, and keeps the bodies it took. */
final class WebhookReceiver implements AutoCloseable {
  private final HttpServer server;
  private final List<String> taken = new CopyOnWriteArrayList<>();
  private final AtomicInteger attempts = new AtomicInteger();
  private volatile int failFirst;
  private volatile int status = 200;

  WebhookReceiver(int failFirst) {
    this.failFirst = failFirst;
    try {
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.createContext("/hook", exchange -> {
      String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      int code = attempts.incrementAndGet() <= this.failFirst ? 503 : status;
      if (code == 200) {
        taken.add(body);
      }
      exchange.sendResponseHeaders(code, -1);
      exchange.close();
    });
    server.start();
  }

  URI url() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/hook");
  }

  /** Every later post is answered with this code (after the failures asked for). */
  void answer(int code) {
    status = code;
  }

  List<String> taken() {
    return List.copyOf(taken);
  }

  int attempts() {
    return attempts.get();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
