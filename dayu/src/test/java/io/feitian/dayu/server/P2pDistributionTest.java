package io.feitian.dayu.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.feitian.common.config.ConfigLoader;
import io.feitian.common.grpc.CallSettings;
import io.feitian.common.grpc.Channels;
import io.feitian.common.grpc.GrpcServer;
import io.feitian.common.security.BearerToken;
import io.feitian.common.security.SecuritySettings;
import io.feitian.dayu.agent.DayuAgent;
import io.feitian.dayu.agent.node.NodeLayout;
import io.feitian.dayu.p2p.PieceManifest;
import io.feitian.dayu.p2p.SeedSpread;
import io.feitian.dayu.p2p.UploadSlots;
import io.feitian.dayu.peer.PeerFetcher;
import io.feitian.dayu.peer.PeerSettings;
import io.feitian.dayu.peer.PieceServer;
import io.feitian.dayu.peer.PieceStore;
import io.feitian.dayu.peer.TransferCounters;
import io.feitian.proto.dayu.v1.AnnounceRequest;
import io.feitian.proto.dayu.v1.FetchPieceRequest;
import io.feitian.proto.dayu.v1.GetManifestRequest;
import io.feitian.proto.dayu.v1.GetTransferStatsRequest;
import io.feitian.proto.dayu.v1.PeerInfo;
import io.feitian.proto.dayu.v1.PieceServiceGrpc;
import io.feitian.proto.dayu.v1.TrackerServiceGrpc;
import io.feitian.proto.dayu.v1.TransferStats;
import io.feitian.testkit.SamplePackages;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Peer-to-peer distribution on loopback with real gRPC: a real dayu-server (H2) seeding a package
 * published in 64 KiB pieces, and agents' fetchers and piece servers (the agent's own classes, one
 * per node root) fetching it from the server and each other.
 */
class P2pDistributionTest {
  private static final int PIECE = 64 * 1024;
  private static final CallSettings CALLS = new CallSettings(Optional.empty(), Duration.ofSeconds(10));

  @TempDir
  Path dir;
  private DayuServerFixture server;
  private ManagedChannel serverChannel;
  private final List<AutoCloseable> closing = new ArrayList<>();
  private byte[] pkg;

  @BeforeEach
  void publish() {
    server = new DayuServerFixture(dir.resolve("server"), Map.of("dayu.server.p2p.piece-size", PIECE));
    serverChannel = Channels.open(server.target(), SecuritySettings.INSECURE);
    pkg = SamplePackages.large("app", "1.0.0", 2 * 1024 * 1024);
    server.upload("app", "1.0.0", pkg);
  }

  @AfterEach
  void close() throws Exception {
    for (int i = closing.size() - 1; i >= 0; i--) {
      closing.get(i).close();
    }
    Channels.close(serverChannel);
    server.close();
  }

  /** An agent's peer side: its piece server on a free port and its fetcher, over {@code root}. */
  private final class Node {
    final Path root;
    final TransferCounters counters = new TransferCounters();
    final PeerFetcher fetcher;

    Node(String name, String rack, int uploadSlots, PeerFetcher.Listener listener) {
      root = dir.resolve(name);
      GrpcServer pieces = GrpcServer.netty("127.0.0.1", 0, SecuritySettings.INSECURE)
          .policy(DayuAgent.peerPolicy())
          .service(new PieceServer(PieceStore.source(root.resolve("packages")), new UploadSlots(uploadSlots),
              Optional.of(counters)))
          .build().start();
      closing.add(pieces);
      PeerSettings settings = new PeerSettings("127.0.0.1", 0, "127.0.0.1:" + pieces.port(), uploadSlots, 2, 8,
          Duration.ofMillis(300), Duration.ofSeconds(10), Duration.ofMillis(200), Duration.ofSeconds(30));
      fetcher = new PeerFetcher(() -> serverChannel, SecuritySettings.INSECURE, CALLS, new NodeLayout(root), settings,
          counters, listener);
      fetcher.registered(name, rack);
      closing.add(fetcher);
    }

    Node(String name, String rack, int uploadSlots) {
      this(name, rack, uploadSlots, (m, v, p, from) -> { });
    }

    Node(String name, String rack) {
      this(name, rack, 8);
    }

    /** Fetches app 1.0.0 into the node's package file and returns its bytes. */
    byte[] fetch() throws Exception {
      Path target = new NodeLayout(root).packageFile("app", "1.0.0");
      Files.createDirectories(target.getParent());
      fetcher.fetch("app", "1.0.0", target, Duration.ofSeconds(30));
      return Files.readAllBytes(target);
    }
  }

  /** The nodes' fetches, all started at once. */
  private static List<CompletableFuture<byte[]>> fetchingTogether(List<Node> nodes) {
    List<CompletableFuture<byte[]>> got = new ArrayList<>();
    for (Node n : nodes) {
      got.add(CompletableFuture.supplyAsync(() -> {
        try {
          return n.fetch();
        } catch (Exception e) {
          throw new RuntimeException(e);
        }
      }));
    }
    return got;
  }

  private PieceManifest manifest() {
    var m = TrackerServiceGrpc.newBlockingStub(serverChannel).withDeadlineAfter(10, TimeUnit.SECONDS)
        .getManifest(GetManifestRequest.newBuilder().setModule("app").setVersion("1.0.0").build());
    return new PieceManifest(m.getSha256(), m.getSizeBytes(), m.getPieceBytes(), m.getPieceSha256List());
  }

  @Test
  void theManifestIsBuiltAtPublication() {
    PieceManifest m = manifest();
    assertThat(m).isEqualTo(PieceManifest.of(pkg, PIECE));
    assertThat(m.pieceCount()).as("a package of several pieces").isGreaterThan(10);
    assertThatThrownBy(() -> TrackerServiceGrpc.newBlockingStub(serverChannel).getManifest(
        GetManifestRequest.newBuilder().setModule("app").setVersion("9.9.9").build()))
        .hasMessageContaining("NOT_FOUND: version");
  }

  @Test
  void everyAgentGetsThePackageAndPiecesMoveBetweenPeers() throws Exception {
    Node first = new Node("n1", "r1");
    assertThat(first.fetch()).isEqualTo(pkg);
    assertThat(first.counters.bytesFromServer()).isEqualTo(pkg.length);
    List<Node> others = List.of(new Node("n2", "r1"), new Node("n3", "r2"), new Node("n4", "r2"));
    List<CompletableFuture<byte[]>> got = fetchingTogether(others);
    for (int i = 0; i < others.size(); i++) {
      assertThat(got.get(i).get(30, TimeUnit.SECONDS)).as("n" + (i + 2) + "'s package").isEqualTo(pkg);
      Node n = others.get(i);
      assertThat(n.counters.bytesFromPeers()).as("n" + (i + 2) + " from peers").isEqualTo(pkg.length);
      // Peers held every piece and had free slots: the seed was never needed.
      assertThat(n.counters.bytesFromServer()).as("n" + (i + 2) + " from the server").isZero();
    }
    assertThat(first.counters.bytesServed()).isPositive();
  }

  /**
   * The seed's upload stays at one copy: peers with one upload slot each answer busy most of the
   * time while three agents fetch at once, and a busy peer is waited for, not replaced by the seed
   * (which would refuse anyway: every piece is held).
   */
  @Test
  void busyPeersAreWaitedForAndTheSeedSendsOneCopy() throws Exception {
    Node first = new Node("n1", "r1", 1);
    assertThat(first.fetch()).isEqualTo(pkg);
    List<Node> others = List.of(new Node("n2", "r1", 1), new Node("n3", "r1", 1), new Node("n4", "r1", 1));
    List<CompletableFuture<byte[]>> got = fetchingTogether(others);
    for (int i = 0; i < others.size(); i++) {
      assertThat(got.get(i).get(30, TimeUnit.SECONDS)).as("n" + (i + 2) + "'s package").isEqualTo(pkg);
      assertThat(others.get(i).counters.bytesFromServer()).as("n" + (i + 2) + " from the server").isZero();
    }
    assertThat(first.counters.bytesFromServer()).isEqualTo(pkg.length);
  }

  /**
   * The seed learns when a send has ended from gRPC (the call's context is cancelled when the call
   * is closed): a piece fetched whole but never announced (its receiver gone) is refused while it
   * settles and sent again after that. Were the end never noticed, it would be refused for ever.
   */
  @Test
  void theSeedSendsAPieceAgainOnceItsSendEndedAndNobodyAnnouncedIt() {
    int pieces = manifest().pieceCount();
    var seed = PieceServiceGrpc.newBlockingStub(serverChannel);
    FetchPieceRequest.Builder ask = FetchPieceRequest.newBuilder().setModule("app").setVersion("1.0.0");
    for (int i = 0; i < pieces; i++) {
      var data = seed.withDeadlineAfter(10, TimeUnit.SECONDS).fetchPiece(ask.setPiece(i).build());
      data.forEachRemaining(d -> { });
    }
    assertThatThrownBy(() -> seed.withDeadlineAfter(10, TimeUnit.SECONDS).fetchPiece(ask.setPiece(0).build()).hasNext())
        .as("just sent: on its way").hasMessageContaining("busy: piece 0 of app 1.0.0");
    await().atMost(Duration.ofMillis(SeedSpread.DEFAULT_SETTLE_MILLIS + 10_000)).pollInterval(Duration.ofMillis(200))
        .ignoreExceptions()
        .until(() -> seed.withDeadlineAfter(10, TimeUnit.SECONDS).fetchPiece(ask.setPiece(0).build()).hasNext());
  }

  @Test
  void anAgentRestartedMidDownloadResumesFromThePiecesOnDisk() throws Exception {
    int pieces = manifest().pieceCount();
    AtomicInteger stored = new AtomicInteger();
    Node crashing = new Node("n1", "r1", 8, (m, v, p, from) -> {
      if (stored.incrementAndGet() == 3) {
        throw new IllegalStateException("killed after 3 pieces");
      }
    });
    assertThatThrownBy(crashing::fetch).hasMessageContaining("killed after 3 pieces");
    Path piecesDir = new NodeLayout(crashing.root).pieces("app", "1.0.0");
    long onDisk = 0;
    try (var files = Files.list(piecesDir)) {
      List<Path> kept = files.filter(f -> f.getFileName().toString().matches("[0-9]+")).toList();
      assertThat(kept).hasSize(3);
      for (Path f : kept) {
        onDisk += Files.size(f);
      }
    }
    Node restarted = new Node("n1", "r1");
    assertThat(restarted.fetch()).isEqualTo(pkg);
    long fetchedAgain = restarted.counters.bytesFromServer() + restarted.counters.bytesFromPeers();
    assertThat(fetchedAgain).as("only the %d pieces not on disk", pieces - 3).isEqualTo(pkg.length - onDisk);
  }

  @Test
  void aPeerServingACorruptPieceIsDroppedAndThePackageStillMatches() throws Exception {
    PieceManifest m = manifest();
    AtomicInteger evilServed = new AtomicInteger();
    GrpcServer evil = GrpcServer.netty("127.0.0.1", 0, SecuritySettings.INSECURE)
        .policy(DayuAgent.peerPolicy())
        .service(new PieceServer(request -> {
          evilServed.incrementAndGet();
          byte[] junk = new byte[m.length(request.getPiece())];
          new Random(request.getPiece()).nextBytes(junk);
          return junk;
        }, new UploadSlots(8), Optional.empty()))
        .build().start();
    closing.add(evil);
    AnnounceRequest.Builder claim = AnnounceRequest.newBuilder().setModule("app").setVersion("1.0.0")
        .setPeer(PeerInfo.newBuilder().setAddress("127.0.0.1:" + evil.port()).setHost("evil").setRack("r1"));
    for (int i = 0; i < m.pieceCount(); i++) {
      claim.addPieces(i);
    }
    TrackerServiceGrpc.newBlockingStub(serverChannel).announce(claim.build());

    Node victim = new Node("n1", "r1");
    assertThat(victim.fetch()).isEqualTo(pkg);
    assertThat(victim.counters.badPieces()).isPositive();
    // Asked at most its requests-per-peer (2) at once before the first bad piece, never after.
    assertThat(evilServed.get()).isBetween(1, 2);
    assertThat(victim.counters.bytesFromServer()).isEqualTo(pkg.length);
  }

  @Test
  void aRequestBeyondTheUploadSlotsIsAnsweredBusyAtOnce() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch serving = new CountDownLatch(1);
    GrpcServer slow = GrpcServer.netty("127.0.0.1", 0, SecuritySettings.INSECURE)
        .policy(DayuAgent.peerPolicy())
        .service(new PieceServer(request -> {
          serving.countDown();
          try {
            release.await(10, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          return new byte[] {1};
        }, new UploadSlots(1), Optional.empty()))
        .build().start();
    closing.add(slow);
    ManagedChannel ch = Channels.open("127.0.0.1:" + slow.port(), SecuritySettings.INSECURE);
    closing.add(() -> Channels.close(ch));
    FetchPieceRequest request = FetchPieceRequest.newBuilder().setModule("app").setVersion("1.0.0").setPiece(0).build();
    CompletableFuture<Boolean> first = CompletableFuture.supplyAsync(() -> PieceServiceGrpc.newBlockingStub(ch)
        .withDeadlineAfter(10, TimeUnit.SECONDS).fetchPiece(request).hasNext());
    assertThat(serving.await(10, TimeUnit.SECONDS)).isTrue();
    assertThatThrownBy(() -> PieceServiceGrpc.newBlockingStub(ch).withDeadlineAfter(5, TimeUnit.SECONDS)
        .fetchPiece(request).hasNext())
        .satisfies(e -> assertThat(Status.fromThrowable(e).getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED))
        .hasMessageContaining("busy: all 1 upload slots are taken");
    release.countDown();
    assertThat(first.get(10, TimeUnit.SECONDS)).isTrue();
  }

  /**
   * The slot is the piece on its way, not the moment it is handed to gRPC: a reader that takes one
   * message and stops (as a slow link does) keeps the one slot taken, so a second asker is told
   * busy instead of sharing the link; when the reader goes away the slot is free again.
   */
  @Test
  void anUploadSlotIsHeldUntilThePieceHasLeft() throws Exception {
    byte[] piece = new byte[32 * 1024 * 1024]; // beyond any flow-control window (gRPC grows it to 8 MiB at most)
    TransferCounters counters = new TransferCounters();
    GrpcServer one = GrpcServer.netty("127.0.0.1", 0, SecuritySettings.INSECURE)
        .policy(DayuAgent.peerPolicy())
        .service(new PieceServer(request -> piece, new UploadSlots(1), Optional.of(counters)))
        .build().start();
    closing.add(one);
    String address = "127.0.0.1:" + one.port();
    ManagedChannel slowLink = Channels.open(address, SecuritySettings.INSECURE);
    ManagedChannel ch = Channels.open(address, SecuritySettings.INSECURE);
    closing.add(() -> Channels.close(ch));
    FetchPieceRequest request = FetchPieceRequest.newBuilder().setModule("app").setVersion("1.0.0").setPiece(0).build();
    var reading = PieceServiceGrpc.newBlockingStub(slowLink).withDeadlineAfter(30, TimeUnit.SECONDS).fetchPiece(request);
    assertThat(reading.next().getData().size()).isEqualTo(PieceServer.MESSAGE_BYTES);
    // The server counts a piece served once it has handed the whole piece to gRPC: from then on most
    // of it waits for the slow reader's window, and the slot must still be taken. (Asked before that,
    // the second call would find the slot taken even if it were given back at the hand-over.)
    await().atMost(Duration.ofSeconds(10)).until(() -> counters.bytesServed() == piece.length);
    assertThatThrownBy(() -> PieceServiceGrpc.newBlockingStub(ch).withDeadlineAfter(5, TimeUnit.SECONDS)
        .fetchPiece(request).hasNext())
        .satisfies(e -> assertThat(Status.fromThrowable(e).getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED));
    slowLink.shutdownNow(); // the reader goes away: the call is cancelled and the slot given back
    await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> {
      var all = PieceServiceGrpc.newBlockingStub(ch).withDeadlineAfter(10, TimeUnit.SECONDS).fetchPiece(request);
      long bytes = 0;
      while (all.hasNext()) {
        bytes += all.next().getData().size();
      }
      return bytes == piece.length;
    });
  }

  @Test
  void aRealAgentRefusesAnUnauthenticatedPeerAndExposesItsCounters() throws Exception {
    Path tokens = Files.writeString(dir.resolve("tokens"),
        "admin-token-0123456789 admin agent\nreader-token-0123456789 reader peer\n");
    DayuAgent agent = new DayuAgent(ConfigLoader.load(null, Map.of("dayu.agent.server", server.target(),
        "dayu.agent.cluster", "prod", "dayu.agent.host", "n1", "dayu.agent.root", dir.resolve("agent").toString(),
        "feitian.security.auth.enabled", true, "feitian.security.auth.tokens-file", tokens.toString(),
        "feitian.security.token", "admin-token-0123456789")));
    agent.start();
    closing.add(agent);
    ManagedChannel anonymous = Channels.open("127.0.0.1:" + agent.peerPort(), SecuritySettings.INSECURE);
    closing.add(() -> Channels.close(anonymous));
    FetchPieceRequest request = FetchPieceRequest.newBuilder().setModule("app").setVersion("1.0.0").setPiece(0).build();
    assertThatThrownBy(() -> PieceServiceGrpc.newBlockingStub(anonymous).withDeadlineAfter(5, TimeUnit.SECONDS)
        .fetchPiece(request).hasNext())
        .satisfies(e -> assertThat(Status.fromThrowable(e).getCode()).isEqualTo(Status.Code.UNAUTHENTICATED));
    var reader = PieceServiceGrpc.newBlockingStub(anonymous).withDeadlineAfter(5, TimeUnit.SECONDS)
        .withCallCredentials(new BearerToken("reader-token-0123456789"));
    assertThatThrownBy(() -> reader.fetchPiece(request).hasNext())
        .as("a reader passes authentication; this agent holds no piece yet")
        .satisfies(e -> assertThat(Status.fromThrowable(e).getCode()).isEqualTo(Status.Code.NOT_FOUND));
    TransferStats stats = reader.getTransferStats(GetTransferStatsRequest.getDefaultInstance());
    assertThat(stats.getBytesFromPeers()).isZero();
    assertThat(stats.getBytesFromServer()).isZero();
  }
}
