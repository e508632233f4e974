package io.feitian.dayu.server;

import static io.feitian.dayu.server.DayuService.answer;

import io.feitian.dayu.db.ConfigDatabase;
import io.feitian.dayu.p2p.PieceManifest;
import io.feitian.dayu.p2p.SeedSpread;
import io.feitian.dayu.p2p.Tracker;
import io.feitian.dayu.peer.PeerFetcher;
import io.feitian.dayu.peer.PieceSource;
import io.feitian.proto.dayu.v1.AnnounceRequest;
import io.feitian.proto.dayu.v1.AnnounceResponse;
import io.feitian.proto.dayu.v1.GetManifestRequest;
import io.feitian.proto.dayu.v1.GetPeersRequest;
import io.feitian.proto.dayu.v1.GetPeersResponse;
import io.feitian.proto.dayu.v1.PackageManifest;
import io.feitian.proto.dayu.v1.PeerInfo;
import io.feitian.proto.dayu.v1.PeerPieces;
import io.feitian.proto.dayu.v1.TrackerServiceGrpc;
import io.grpc.Context;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.BitSet;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * TrackerService over the {@link Tracker} core, and the seed's {@link PieceSource} over the
 * database. Manifests are cached: a published version never changes.
 */
final class TrackerApi extends TrackerServiceGrpc.TrackerServiceImplBase {
  private final ConfigDatabase db;
  private final Tracker tracker;
  private final long announceIntervalMillis;
  private final LongSupplier clock;
  private final Map<Tracker.PackageId, PieceManifest> manifests = new ConcurrentHashMap<>();
  private final SeedSpread spread;

  TrackerApi(ConfigDatabase db, Tracker tracker, SeedSpread spread, long announceIntervalMillis, LongSupplier clock) {
    this.db = db;
    this.tracker = tracker;
    this.spread = spread;
    this.announceIntervalMillis = announceIntervalMillis;
    this.clock = clock;
  }

  private PieceManifest manifest(String module, String version) {
    Tracker.PackageId id = new Tracker.PackageId(module, version);
    PieceManifest m = manifests.get(id);
    if (m == null) {
      m = db.modules().manifest(module, version); // NOT_FOUND naming module or version
      manifests.put(id, m);
    }
    return m;
  }

  /**
   * Pieces of published packages, from the database's chunks, as {@link SeedSpread} allows: a
   * piece some peer holds (unless the asker could reach none of them), one on its way, or one
   * already sent more than another missing one, is answered busy.
   */
  PieceSource seed() {
    return request -> {
      String module = request.getModule();
      String version = request.getVersion();
      int piece = request.getPiece();
      PieceManifest m = manifest(module, version);
      m.checkPiece(piece);
      Tracker.PackageId id = new Tracker.PackageId(module, version);
      long now = clock.getAsLong();
      if (!spread.trySend(id, m.pieceCount(), piece, tracker.held(now, id), request.getHoldersUnreachable(), now)) {
        throw Status.RESOURCE_EXHAUSTED.withDescription("busy: piece " + piece + " of " + module + " " + version
            + " is held by a peer or on its way, or others have gone out fewer times; ask a peer").asRuntimeException();
      }
      // gRPC cancels the call's context when the call is closed, sent or not: the send has ended.
      Context.current().addListener(ended -> spread.ended(id, piece, clock.getAsLong()), Runnable::run);
      return db.modules().range(module, version, m.offset(piece), m.length(piece));
    };
  }

  @Override
  public void getManifest(GetManifestRequest request, StreamObserver<PackageManifest> out) {
    answer(out, () -> PeerFetcher.toProto(request.getModule(), request.getVersion(),
        manifest(request.getModule(), request.getVersion())));
  }

  @Override
  public void announce(AnnounceRequest request, StreamObserver<AnnounceResponse> out) {
    answer(out, () -> {
      Tracker.Peer peer = peer("peer", request.getPeer());
      if (request.getLeaving()) {
        tracker.depart(peer.address());
      } else {
        PieceManifest m = manifest(request.getModule(), request.getVersion());
        BitSet pieces = new BitSet();
        for (int i = 0; i < request.getPiecesCount(); i++) {
          int piece = request.getPieces(i);
          if (piece < 0 || piece >= m.pieceCount()) {
            throw new IllegalArgumentException("pieces[" + i + "] must be in [0, " + m.pieceCount() + "), got " + piece);
          }
          pieces.set(piece);
        }
        tracker.announce(clock.getAsLong(), new Tracker.PackageId(request.getModule(), request.getVersion()), peer,
            pieces);
      }
      return AnnounceResponse.newBuilder().setAnnounceIntervalMs(announceIntervalMillis).build();
    });
  }

  @Override
  public void getPeers(GetPeersRequest request, StreamObserver<GetPeersResponse> out) {
    answer(out, () -> {
      manifest(request.getModule(), request.getVersion());
      GetPeersResponse.Builder b = GetPeersResponse.newBuilder();
      for (Tracker.Holding h : tracker.peers(clock.getAsLong(), new Tracker.PackageId(request.getModule(),
          request.getVersion()), request.getAsker().getAddress(), request.getAsker().getRack())) {
        PeerPieces.Builder p = PeerPieces.newBuilder().setPeer(PeerInfo.newBuilder().setAddress(h.peer().address())
            .setHost(h.peer().host()).setRack(h.peer().rack()));
        h.pieces().stream().forEach(p::addPieces);
        b.addPeers(p);
      }
      return b.build();
    });
  }

  private static Tracker.Peer peer(String field, PeerInfo p) {
    if (!p.getAddress().matches("[A-Za-z0-9.:\\[\\]-]{1,300}:[0-9]{1,5}")) {
      throw new IllegalArgumentException(field + ".address must be host:port, got '" + p.getAddress() + "'");
    }
    return new Tracker.Peer(p.getAddress(), p.getHost(), p.getRack());
  }
}
