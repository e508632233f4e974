package io.feitian.dayu.peer;

import io.feitian.common.grpc.CallSettings;
import io.feitian.common.grpc.Channels;
import io.feitian.common.security.SecuritySettings;
import io.feitian.dayu.agent.node.NodeLayout;
import io.feitian.dayu.agent.node.PackageSource;
import io.feitian.dayu.p2p.PieceManifest;
import io.feitian.dayu.p2p.PiecePicker;
import io.feitian.proto.dayu.v1.AnnounceRequest;
import io.feitian.proto.dayu.v1.FetchPieceRequest;
import io.feitian.proto.dayu.v1.GetManifestRequest;
import io.feitian.proto.dayu.v1.GetPeersRequest;
import io.feitian.proto.dayu.v1.PackageManifest;
import io.feitian.proto.dayu.v1.PeerInfo;
import io.feitian.proto.dayu.v1.PeerPieces;
import io.feitian.proto.dayu.v1.PieceData;
import io.feitian.proto.dayu.v1.PieceServiceGrpc;
import io.feitian.proto.dayu.v1.TrackerServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.BitSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's {@link PackageSource}: a package's pieces from other agents and dayu-server at once,
 * as the {@link PiecePicker} decides, kept in a {@link PieceStore} as they arrive and announced to
 * the tracker after each one (so other agents fetch them from here at once). The package is
 * written to the target only when every piece is held and the whole checksum matches. A peer that
 * serves a bad piece is dropped for the rest of the fetch; a busy or failing one is left alone for
 * a moment. The shell around the picker: the picker decides, this does the calls, on a pool of
 * {@code total} threads, one request each.
 */
public final class PeerFetcher implements PackageSource, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(PeerFetcher.class);
  /** The picker's name for dayu-server, the seed. */
  static final String SEED = "dayu-server";

  /** Called after each piece is stored (tests stop a fetch part way with it). */
  @FunctionalInterface
  public interface Listener {
    void stored(String module, String version, int piece, String from);
  }

  private final Supplier<ManagedChannel> server;
  private final SecuritySettings security;
  private final CallSettings calls;
  private final NodeLayout layout;
  private final PeerSettings settings;
  private final TransferCounters counters;
  private final Listener listener;
  private final Map<String, ManagedChannel> peers = new ConcurrentHashMap<>();
  private volatile String host = "";
  private volatile String rack = "";

  public PeerFetcher(Supplier<ManagedChannel> server, SecuritySettings security, CallSettings calls, NodeLayout layout,
      PeerSettings settings, TransferCounters counters, Listener listener) {
    this.server = server;
    this.security = security;
    this.calls = calls;
    this.layout = layout;
    this.settings = settings;
    this.counters = counters;
    this.listener = listener;
  }

  @Override
  public void registered(String nodeHost, String nodeRack) {
    this.host = nodeHost;
    this.rack = nodeRack;
  }

  private PeerInfo self() {
    return PeerInfo.newBuilder().setAddress(settings.advertise()).setHost(host).setRack(rack).build();
  }

  private ManagedChannel serverChannel() throws IOException {
    ManagedChannel ch = server.get();
    if (ch == null) {
      throw new IOException("not connected to dayu-server");
    }
    return ch;
  }

  @Override
  public void fetch(String module, String version, Path target, Duration timeout)
      throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    ManagedChannel ch = serverChannel();
    PieceManifest manifest;
    try {
      manifest = fromProto(calls.unary(TrackerServiceGrpc.newBlockingStub(ch)).getManifest(
          GetManifestRequest.newBuilder().setModule(module).setVersion(version).build()));
    } catch (StatusRuntimeException e) {
      throw new IOException("dayu-server gave no manifest of " + module + " " + version + ": " + e.getStatus(), e);
    }
    PieceStore store = PieceStore.open(layout.pieces(module, version), manifest);
    if (!store.complete()) {
      fetchPieces(module, version, store, deadline);
    }
    store.assemble(target);
    log.info("{} {} complete ({} pieces); this agent so far: {}", module, version, manifest.pieceCount(), counters);
  }

  private void fetchPieces(String module, String version, PieceStore store, long deadline)
      throws IOException, InterruptedException {
    PieceManifest manifest = store.manifest();
    PiecePicker picker = new PiecePicker(manifest.pieceCount(), rack, settings.requestsPerPeer(),
        settings.requestsInFlight(), settings.busyPause().toMillis(), new Random());
    BitSet held = store.held();
    held.stream().forEach(picker::held);
    if (!held.isEmpty()) {
      log.info("{} {}: resuming with {} of {} pieces on disk", module, version, held.cardinality(),
          manifest.pieceCount());
      announce(module, version, held);
    }
    BitSet all = new BitSet();
    all.set(0, manifest.pieceCount());
    ExecutorService pool = Executors.newFixedThreadPool(settings.requestsInFlight(), r -> {
      Thread t = new Thread(r, "dayu-agent-piece-fetch");
      t.setDaemon(true);
      return t;
    });
    ExecutorCompletionService<Outcome> done = new ExecutorCompletionService<>(pool);
    long peersAsked = Long.MIN_VALUE;
    try {
      while (!picker.complete()) {
        long now = System.nanoTime();
        if (now - deadline > 0) {
          throw new IOException("timed out fetching " + module + " " + version + " with " + store.held().cardinality()
              + " of " + manifest.pieceCount() + " pieces (kept for the next attempt)");
        }
        long nowMillis = now / 1_000_000;
        if (peersAsked == Long.MIN_VALUE || nowMillis - peersAsked >= settings.peersRefresh().toMillis()) {
          peersAsked = nowMillis;
          picker.peer(SEED, "", all, true);
          for (PeerPieces p : peers(module, version)) {
            BitSet bits = new BitSet();
            p.getPiecesList().forEach(i -> {
              if (i >= 0) {
                bits.set(i);
              }
            });
            picker.peer(p.getPeer().getAddress(), p.getPeer().getRack(), bits, false);
          }
        }
        for (PiecePicker.Request r : picker.next(nowMillis)) {
          if (r.holdersUnreachable()) { // rare, and the seed's copies beyond one come from it
            log.info("asking dayu-server for piece {} of {} {}: every peer holding it failed this agent", r.piece(),
                module, version);
          }
          done.submit(() -> request(module, version, manifest, r));
        }
        Future<Outcome> f = done.poll(100, TimeUnit.MILLISECONDS);
        if (f != null) {
          handle(module, version, store, picker, outcomeOf(f));
        }
      }
    } finally {
      pool.shutdownNow();
    }
  }

  /** What one piece request came back with: the bytes, or the status it failed with. */
  private record Outcome(PiecePicker.Request request, byte[] bytes, Status failure) {}

  private static Outcome outcomeOf(Future<Outcome> f) throws InterruptedException {
    try {
      return f.get();
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException("a piece request threw", e.getCause()); // request() catches everything
    }
  }

  private void handle(String module, String version, PieceStore store, PiecePicker picker, Outcome o)
      throws IOException {
    PiecePicker.Request r = o.request();
    long nowMillis = System.nanoTime() / 1_000_000;
    if (o.failure() != null) {
      if (o.failure().getCode() == Status.Code.RESOURCE_EXHAUSTED) {
        picker.busy(r.piece(), r.peer(), nowMillis);
      } else {
        log.debug("piece {} of {} {} from {} failed: {}", r.piece(), module, version, r.peer(), o.failure());
        picker.failed(r.piece(), r.peer(), nowMillis);
      }
      return;
    }
    if (!store.write(r.piece(), o.bytes())) {
      counters.bad();
      picker.corrupt(r.piece(), r.peer());
      log.warn("dropping peer {}: it served piece {} of {} {} with the wrong checksum; fetching it elsewhere",
          r.peer(), r.piece(), module, version);
      return;
    }
    picker.received(r.piece(), r.peer());
    counters.received(r.peer().equals(SEED), o.bytes().length);
    announce(module, version, store.held());
    listener.stored(module, version, r.piece(), r.peer());
  }

  private Outcome request(String module, String version, PieceManifest manifest, PiecePicker.Request r) {
    try {
      ManagedChannel ch = r.peer().equals(SEED) ? serverChannel() : peerChannel(r.peer());
      Iterator<PieceData> data = calls.streaming(PieceServiceGrpc.newBlockingStub(ch))
          .withDeadlineAfter(settings.pieceTimeout().toMillis(), TimeUnit.MILLISECONDS)
          .fetchPiece(FetchPieceRequest.newBuilder().setModule(module).setVersion(version).setPiece(r.piece())
              .setHoldersUnreachable(r.holdersUnreachable()).build());
      ByteArrayOutputStream out = new ByteArrayOutputStream(manifest.length(r.piece()));
      while (data.hasNext()) {
        data.next().getData().writeTo(out);
        if (out.size() > manifest.length(r.piece())) {
          break; // more than the piece: bad, whatever follows
        }
      }
      return new Outcome(r, out.toByteArray(), null);
    } catch (StatusRuntimeException e) {
      return new Outcome(r, null, e.getStatus());
    } catch (IOException | RuntimeException e) {
      return new Outcome(r, null, Status.UNAVAILABLE.withDescription(e.toString()));
    }
  }

  private ManagedChannel peerChannel(String address) {
    return peers.computeIfAbsent(address, a -> Channels.open(a, security));
  }

  private List<PeerPieces> peers(String module, String version) {
    try {
      return calls.unary(TrackerServiceGrpc.newBlockingStub(serverChannel())).getPeers(GetPeersRequest.newBuilder()
          .setModule(module).setVersion(version).setAsker(self()).build()).getPeersList();
    } catch (StatusRuntimeException | IOException e) {
      log.debug("no peers of {} {} from the tracker: {}", module, version, e.toString());
      return List.of(); // the seed and the peers known so far will do
    }
  }

  private void announce(String module, String version, BitSet held) {
    if (settings.advertise().isEmpty()) {
      return; // serves nothing: nothing to announce
    }
    try {
      AnnounceRequest.Builder b = AnnounceRequest.newBuilder().setPeer(self()).setModule(module).setVersion(version);
      held.stream().forEach(b::addPieces);
      calls.unary(TrackerServiceGrpc.newBlockingStub(serverChannel())).announce(b.build());
    } catch (StatusRuntimeException | IOException e) {
      log.debug("announce of {} {} failed: {}", module, version, e.toString()); // the periodic one repairs it
    }
  }

  /**
   * Announces every package this agent holds pieces of (kept while it serves them, so that the
   * tracker does not forget it), as found on disk.
   */
  public void announceAll() {
    Path packages = layout.root().resolve("packages");
    if (!Files.isDirectory(packages)) {
      return;
    }
    try (Stream<Path> dirs = Files.walk(packages, 2)) {
      for (Path dir : (Iterable<Path>) dirs::iterator) {
        String name = dir.getFileName().toString();
        if (!name.endsWith(".pieces") || !Files.isDirectory(dir)) {
          continue;
        }
        Optional<PieceManifest> m = PieceStore.readManifest(dir);
        if (m.isEmpty()) {
          continue;
        }
        BitSet held = new BitSet();
        for (int i = 0; i < m.get().pieceCount(); i++) {
          if (Files.exists(dir.resolve(Integer.toString(i)))) {
            held.set(i);
          }
        }
        announce(dir.getParent().getFileName().toString(), name.substring(0, name.length() - ".pieces".length()), held);
      }
    } catch (IOException e) {
      log.warn("cannot list the pieces to announce: {}", e.toString());
    }
  }

  /** Tells the tracker this agent is leaving (best effort), and closes the channels to peers. */
  @Override
  public void close() {
    if (!settings.advertise().isEmpty()) {
      try {
        ManagedChannel ch = server.get();
        if (ch != null) {
          calls.unary(TrackerServiceGrpc.newBlockingStub(ch)).announce(AnnounceRequest.newBuilder().setPeer(self())
              .setLeaving(true).build());
        }
      } catch (StatusRuntimeException e) {
        log.debug("leaving announce failed: {}", e.toString()); // the tracker forgets a silent agent anyway
      }
    }
    peers.values().forEach(Channels::close);
    peers.clear();
  }

  static PieceManifest fromProto(PackageManifest m) {
    return new PieceManifest(m.getSha256(), m.getSizeBytes(), m.getPieceBytes(), m.getPieceSha256List());
  }

  /** The manifest as the tracker sends it. */
  public static PackageManifest toProto(String module, String version, PieceManifest m) {
    return PackageManifest.newBuilder().setModule(module).setVersion(version).setSha256(m.sha256())
        .setSizeBytes(m.sizeBytes()).setPieceBytes(m.pieceBytes()).addAllPieceSha256(m.pieceSha256()).build();
  }
}
