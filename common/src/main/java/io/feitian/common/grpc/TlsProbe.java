package io.feitian.common.grpc;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;

/**
 * Tells whether a server speaks TLS, to explain a plaintext client's failure
 * against a TLS server (gRPC reports only "Network closed for unknown
 * reason").
 *
 * <p>The probe sends a TLS ClientHello (made by the JDK's own TLS engine) and
 * reads the first record header of the answer: a TLS server answers with a
 * handshake record (its ServerHello) or an alert, both of which start with the
 * record type and a 3.x version. A plaintext gRPC server answers with an
 * HTTP/2 frame or closes the connection. Nothing of the answer is trusted or
 * used: no certificate is checked, no key is exchanged, no data is sent.
 */
public final class TlsProbe {
  private static final int HANDSHAKE = 22;
  private static final int ALERT = 21;
  private static final int TLS_MAJOR_VERSION = 3;

  private TlsProbe() {}

  /**
   * Whether the server at {@code hostPort} answers a TLS ClientHello as a
   * TLS server does. False when it answers otherwise, closes the connection,
   * says nothing within {@code timeout}, or cannot be reached.
   *
   * @param hostPort host:port, the host a name, an IPv4 address or a bracketed IPv6 address
   * @param timeout for connecting, and again for the answer
   * @throws IllegalArgumentException if {@code hostPort} is not host:port
   */
  public static boolean speaksTls(String hostPort, Duration timeout) {
    Addresses.requireHostPort("address", hostPort);
    int colon = hostPort.lastIndexOf(':');
    String host = hostPort.substring(0, colon).replaceAll("^\\[|]$", "");
    int port = Integer.parseInt(hostPort.substring(colon + 1));
    int millis = (int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis()));
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host, port), millis);
      socket.setSoTimeout(millis);
      socket.getOutputStream().write(clientHello(host, port));
      socket.getOutputStream().flush();
      byte[] header = new byte[3];
      return readFully(socket.getInputStream(), header)
          && ((header[0] == HANDSHAKE || header[0] == ALERT) && header[1] == TLS_MAJOR_VERSION);
    } catch (IOException e) { // refused, unreachable, reset, or silent until the timeout
      return false;
    }
  }

  /** The first flight of a TLS client: one record holding a ClientHello. */
  static byte[] clientHello(String host, int port) throws SSLException {
    SSLEngine engine;
    try {
      engine = SSLContext.getDefault().createSSLEngine(host, port);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JDK offers no TLS", e);
    }
    engine.setUseClientMode(true);
    ByteBuffer out = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
    engine.beginHandshake();
    engine.wrap(ByteBuffer.allocate(0), out);
    out.flip();
    byte[] hello = new byte[out.remaining()];
    out.get(hello);
    return hello;
  }

  private static boolean readFully(InputStream in, byte[] buffer) throws IOException {
    int n = 0;
    while (n < buffer.length) {
      int r = in.read(buffer, n, buffer.length - n);
      if (r < 0) {
        return false;
      }
      n += r;
    }
    return true;
  }
}
