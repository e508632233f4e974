package io.feitian.common.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.feitian.common.security.SecuritySettings;
import io.feitian.proto.dayu.v1.AgentServiceGrpc;
import io.feitian.proto.dayu.v1.NodeWork;
import io.feitian.proto.dayu.v1.WatchRequest;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A client cut off from the network (no FIN, no RST: its packets just stop) is noticed by the
 * server's keepalive and its streams are cancelled. The cut is a TCP relay between client and
 * server that stops relaying while keeping both connections open, as a host whose cable is pulled
 * does. dayu-server relies on it: a node is present while its agent's Watch stream is open.
 */
class GrpcServerKeepaliveTest {
  /** A server-streaming service that sends one message and remembers when the call is cancelled. */
  static final class Watching extends AgentServiceGrpc.AgentServiceImplBase {
    final CountDownLatch cancelled = new CountDownLatch(1);

    @Override
    public void watch(WatchRequest request, StreamObserver<NodeWork> out) {
      ((ServerCallStreamObserver<NodeWork>) out).setOnCancelHandler(cancelled::countDown);
      out.onNext(NodeWork.getDefaultInstance());
    }
  }

  @Test
  void aClientCutOffIsNoticedAndItsStreamCancelled() throws Exception {
    Watching service = new Watching();
    GrpcServer server = GrpcServer.netty("127.0.0.1", 0, SecuritySettings.INSECURE, Duration.ofMillis(500),
        Duration.ofMillis(500)).service(service).build().start();
    try (Relay relay = new Relay(server.port())) {
      ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", relay.port()).usePlaintext().build();
      try {
        CompletableFuture<NodeWork> first = new CompletableFuture<>();
        AgentServiceGrpc.newStub(channel).watch(WatchRequest.getDefaultInstance(), new StreamObserver<>() {
          @Override
          public void onNext(NodeWork value) {
            first.complete(value);
          }

          @Override
          public void onError(Throwable t) {}

          @Override
          public void onCompleted() {}
        });
        first.get(10, TimeUnit.SECONDS);
        // Open and idle, the pings answered: nothing ends it while the client is there.
        assertThat(service.cancelled.await(1500, TimeUnit.MILLISECONDS)).as("cancelled while the client is connected").isFalse();

        // The ping unanswered, the server closes the connection; the cancellation came 8.5 s after
        // the cut here (the close waits for the connection's graceful end first). Without the
        // keepalive it never comes.
        relay.cut();
        assertThat(service.cancelled.await(20, TimeUnit.SECONDS))
            .as("the server cancelled the stream of a client cut off (keepalive 500 ms, timeout 500 ms)").isTrue();
      } finally {
        channel.shutdownNow();
      }
    } finally {
      server.close();
    }
  }

  @Test
  void everyServerPingsSilentClients() {
    // The production path takes these; the test above shows what they do, with shorter times.
    assertThat(GrpcServer.KEEPALIVE_TIME).isEqualTo(Duration.ofSeconds(10));
    assertThat(GrpcServer.KEEPALIVE_TIMEOUT).isEqualTo(Duration.ofSeconds(5));
  }

  /** Relays one TCP connection to a port on loopback until {@link #cut}: then nothing passes, and nothing closes. */
  private static final class Relay implements AutoCloseable {
    private final ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private volatile boolean cut;

    Relay(int target) throws IOException {
      Thread accept = new Thread(() -> {
        try {
          Socket client = listener.accept();
          Socket server = new Socket(InetAddress.getLoopbackAddress(), target);
          sockets.add(client);
          sockets.add(server);
          pump(client, server);
          pump(server, client);
        } catch (IOException e) {
          // closed
        }
      }, "relay-accept");
      accept.setDaemon(true);
      accept.start();
    }

    int port() {
      return listener.getLocalPort();
    }

    void cut() {
      cut = true;
    }

    private void pump(Socket from, Socket to) {
      Thread t = new Thread(() -> {
        byte[] buffer = new byte[8192];
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
          for (int n; (n = in.read(buffer)) >= 0; ) {
            if (cut) {
              // A pulled cable: what arrives from now on is lost, and the connections stay open.
              continue;
            }
            out.write(buffer, 0, n);
            out.flush();
          }
        } catch (IOException e) {
          // closed
        }
      }, "relay-pump");
      t.setDaemon(true);
      t.start();
    }

    @Override
    public void close() throws IOException {
      listener.close();
      for (Socket s : sockets) {
        s.close();
      }
    }
  }
}
