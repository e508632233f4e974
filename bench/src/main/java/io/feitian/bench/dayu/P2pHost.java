package io.feitian.bench.dayu;

import com.typesafe.config.Config;
import io.feitian.common.config.ConfigLoader;
import io.feitian.common.grpc.CallSettings;
import io.feitian.common.grpc.Channels;
import io.feitian.common.grpc.GrpcServer;
import io.feitian.common.security.SecuritySettings;
import io.feitian.dayu.agent.DayuAgent;
import io.feitian.dayu.agent.node.NodeLayout;
import io.feitian.dayu.p2p.UploadSlots;
import io.feitian.dayu.peer.PeerFetcher;
import io.feitian.dayu.peer.PeerSettings;
import io.feitian.dayu.peer.PieceServer;
import io.feitian.dayu.peer.PieceStore;
import io.feitian.dayu.peer.TransferCounters;
import io.feitian.dayu.p2p.PieceManifest;
import io.feitian.proto.dayu.v1.FetchPieceRequest;
import io.feitian.proto.dayu.v1.GetManifestRequest;
import io.feitian.proto.dayu.v1.PieceData;
import io.feitian.proto.dayu.v1.PieceServiceGrpc;
import io.feitian.proto.dayu.v1.TrackerServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * One host of {@link P2pDistributionBenchmark}, run in its network namespace: the agent's own
 * peer side (a {@link PieceServer} over a {@link PieceStore}, a {@link PeerFetcher}, its
 * {@link TransferCounters}) against a real dayu-server, as dayu-agent wires them, without the rest
 * of the agent. Driven by lines on stdin, answering on stdout:
 * <ul>
 *   <li>at start it prints {@code READY};</li>
 *   <li>{@code go}: fetches the package, prints {@code DONE <epoch ms> <counters>} when it holds it
 *       verified (whole checksum), or {@code FAILED <reason>}; it keeps serving its pieces;</li>
 *   <li>{@code stats}: prints {@code STATS <counters>};</li>
 *   <li>end of input: says it leaves (to the tracker) and exits.</li>
 * </ul>
 * Counters: bytes from peers, bytes from dayu-server, bytes served, bad pieces.
 *
 * <pre>
 * P2pHost --server ADDR:PORT --bind ADDR --host NAME --root DIR --module M --version V [--set key=value]...
 * </pre>
 * {@code --set dayu.agent.peer.port=-1} makes it serve nothing and announce nothing: the tracker
 * then names no peers and it fetches every piece from dayu-server (the single-source baseline).
 */
public final class P2pHost {
  private P2pHost() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> opt = new HashMap<>();
    Map<String, Object> settings = new HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      if (args[i].equals("--set")) {
        String[] kv = args[i + 1].split("=", 2);
        settings.put(kv[0], kv[1]);
      } else {
        opt.put(args[i], args[i + 1]);
      }
    }
    settings.putIfAbsent("dayu.agent.peer.bind", opt.get("--bind"));
    Config config = ConfigLoader.load(null, settings);
    PeerSettings peer = PeerSettings.from(config);
    Path root = Path.of(opt.get("--root"));
    String module = opt.get("--module");
    String version = opt.get("--version");
    TransferCounters counters = new TransferCounters();
    GrpcServer pieces = null;
    if (peer.port() >= 0) {
      pieces = GrpcServer.netty(peer.bind(), peer.port(), SecuritySettings.INSECURE)
          .policy(DayuAgent.peerPolicy())
          .service(new PieceServer(PieceStore.source(root.resolve("packages")), new UploadSlots(peer.uploadSlots()),
              Optional.of(counters)))
          .build().start();
      peer = peer.withAdvertise(peer.bind() + ":" + pieces.port());
    } else {
      peer = peer.withAdvertise("");
    }
    ManagedChannel server = Channels.open(opt.get("--server"), SecuritySettings.INSECURE);
    CallSettings calls = new CallSettings(Optional.empty(), Duration.ofSeconds(10));
    NodeLayout layout = new NodeLayout(root);
    PeerFetcher fetcher = new PeerFetcher(() -> server, SecuritySettings.INSECURE, calls, layout, peer, counters,
        (m, v, p, from) -> { });
    fetcher.registered(opt.get("--host"), opt.getOrDefault("--rack", "r1"));
    warmUp(server, calls, module, version, root, pieces == null ? null : peer.advertise());
    System.out.println("READY");
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    for (String line = in.readLine(); line != null; line = in.readLine()) {
      if (line.equals("go")) {
        try {
          Path target = layout.packageFile(module, version);
          Files.createDirectories(target.getParent());
          fetcher.fetch(module, version, target, Duration.ofMinutes(30));
          System.out.println("DONE " + System.currentTimeMillis() + " " + counts(counters));
        } catch (Exception e) {
          System.out.println("FAILED " + e);
        }
      } else if (line.equals("stats")) {
        System.out.println("STATS " + counts(counters));
      }
    }
    fetcher.close();
    if (pieces != null) {
      pieces.close();
    }
    Channels.close(server);
  }

  /**
   * What a long-running agent has before a rollout and a fresh JVM has not: a connection to
   * dayu-server, and its transfer code compiled (SHA-256 by the interpreter and C1 runs at a
   * twentieth of the speed, and a first transfer spends about a second of C2 compilation per host),
   * so the benchmark measures the distribution. The warm-up serves itself, over its own loopback,
   * a package of its own making (module "warm-up", never announced) a few times.
   */
  private static void warmUp(ManagedChannel server, CallSettings calls, String module, String version, Path root,
      String selfAddress) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (true) {
      try {
        calls.unary(TrackerServiceGrpc.newBlockingStub(server)).getManifest(
            GetManifestRequest.newBuilder().setModule(module).setVersion(version).build());
        break;
      } catch (StatusRuntimeException e) {
        if (System.nanoTime() > deadline) {
          throw e;
        }
        TimeUnit.MILLISECONDS.sleep(200);
      }
    }
    byte[] bytes = new byte[1024 * 1024];
    for (int i = 0; i < 200; i++) {
      MessageDigest.getInstance("SHA-256").digest(bytes);
    }
    if (selfAddress == null) {
      return; // serves nothing (single source): hashing is what its fetch repeats
    }
    byte[] pkg = new byte[16 * 1024 * 1024];
    new Random(1).nextBytes(pkg);
    PieceManifest manifest = PieceManifest.of(pkg, 4 * 1024 * 1024);
    NodeLayout layout = new NodeLayout(root);
    PieceStore mine = PieceStore.open(layout.pieces("warm-up", "1.0.0"), manifest);
    PieceStore copy = PieceStore.open(root.resolve("warm-up-copy"), manifest);
    for (int p = 0; p < manifest.pieceCount(); p++) {
      mine.write(p, Arrays.copyOfRange(pkg, (int) manifest.offset(p), (int) manifest.offset(p) + manifest.length(p)));
    }
    ManagedChannel self = Channels.open(selfAddress, SecuritySettings.INSECURE);
    try {
      for (int round = 0; round < 8; round++) {
        for (int p = 0; p < manifest.pieceCount(); p++) {
          ByteArrayOutputStream out = new ByteArrayOutputStream(manifest.length(p));
          Iterator<PieceData> data = calls.streaming(PieceServiceGrpc.newBlockingStub(self)).fetchPiece(
              FetchPieceRequest.newBuilder().setModule("warm-up").setVersion("1.0.0").setPiece(p).build());
          while (data.hasNext()) {
            data.next().getData().writeTo(out);
          }
          if (!copy.write(p, out.toByteArray())) {
            throw new IllegalStateException("the warm-up piece " + p + " came back wrong");
          }
        }
      }
    } finally {
      Channels.close(self);
    }
  }

  private static String counts(TransferCounters c) {
    return c.bytesFromPeers() + " " + c.bytesFromServer() + " " + c.bytesServed() + " " + c.badPieces();
  }
}
