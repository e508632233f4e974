package io.feitian.common.zk;

import com.typesafe.config.Config;
import io.feitian.common.grpc.Advertised;
import io.feitian.common.grpc.GrpcServer;
import io.feitian.common.grpc.Listening;
import io.feitian.common.security.MethodPolicy;
import io.feitian.common.security.SecuritySettings;
import io.grpc.BindableService;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;
import org.apache.curator.framework.CuratorFramework;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every elected singleton daemon (shennong-master, monitor-service, analysis-service) is
 * around its own work: a ZooKeeper session, a gRPC server whose services report SERVING only while
 * this daemon leads, the address it advertises, a seat in the {@link LeaderElection} and the
 * {@link LeaderOffice} holding the term while it leads. A daemon keeps only what is its own: its
 * services, the term it begins when elected, and its parts.
 *
 * <p>It starts in three steps because daemons have work between them: {@link #connect} (the
 * session, for parts that use ZooKeeper), {@link #serve} (the server and the address, for parts
 * that name it), {@link #elect} (the seat; terms may begin from then on). {@link #close} gives up
 * the seat, closes the term, stops the server, closes the daemon's parts ({@link #own}, the last
 * owned first) and then the session, which parts may still use while closing.
 *
 * @param <T> the term the daemon holds while it leads
 */
public final class ElectedShell<T extends AutoCloseable> implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ElectedShell.class);

  /** Begins the term of an epoch (called on the election's thread); null declines it: the daemon stands by. */
  public interface Terms<T> {
    T begin(long epoch);
  }

  private final String zkBase;
  private final ZkSettings zkSettings;
  private final SecuritySettings security;
  private final String cluster;
  private final Listening listening;
  private final Deque<AutoCloseable> parts = new ArrayDeque<>();
  private CuratorFramework zk;
  private GrpcServer server;
  private LeaderOffice<T> office;
  private volatile LeaderElection election;
  private String address;

  /**
   * Reads the ZooKeeper, security and cluster settings; refuses now an advertised address no other
   * node could reach, before anything starts.
   *
   * @param zkBase the election's path under the cluster's namespace (clients find the leader there)
   * @param listening the daemon's own part of the configuration: where its server listens
   */
  public ElectedShell(Config config, String zkBase, Listening listening) {
    this.zkBase = zkBase;
    this.zkSettings = ZkSettings.from(config);
    this.security = SecuritySettings.from(config);
    this.cluster = config.getString("feitian.cluster-name");
    this.listening = listening;
    listening.advertised(listening.port(), zkSettings.connect());
  }

  /** Opens the ZooKeeper session. */
  public CuratorFramework connect() {
    zk = ZooKeeperClients.start(zkSettings);
    return zk;
  }

  /** Starts the server (not serving until a term is held) and chooses the address to advertise. */
  public String serve(MethodPolicy policy, BindableService... services) {
    GrpcServer.Builder builder = GrpcServer.netty(listening.bind(), listening.port(), security).policy(policy)
        .initiallyNotServing();
    for (BindableService s : services) {
      builder.service(s);
    }
    server = builder.build();
    office = new LeaderOffice<>(server, this::leader);
    server.start();
    Advertised advertised = listening.advertised(server.port(), zkSettings.connect());
    address = advertised.address();
    log.info("advertising {} ({})", address, advertised.reason());
    return address;
  }

  /** Takes the seat: when elected, the term {@code terms} begins is held until this daemon is deposed. */
  public void elect(Terms<T> terms) throws Exception {
    LeaderElection e = new LeaderElection(zk, zkBase, address, LeaderElection.Listener.of(
        epoch -> office.take(address + " with epoch " + epoch, () -> terms.begin(epoch)), reason -> office.leave()));
    election = e;
    e.start();
  }

  /** A part of the daemon, closed with it (after the server, before the session); returned as given. */
  public synchronized <P extends AutoCloseable> P own(P part) {
    parts.push(part);
    return part;
  }

  /** The term held, or UNAVAILABLE naming the leader. */
  public T require() {
    return office.require();
  }

  /** The term held, if any. */
  public Optional<T> current() {
    return office == null ? Optional.empty() : office.current();
  }

  public boolean isLeader() {
    return current().isPresent();
  }

  /** Who leads as the election sees it (perhaps this daemon); empty before the seat is taken. */
  public Optional<String> leader() {
    LeaderElection e = election;
    return e == null ? Optional.empty() : e.currentLeader();
  }

  /** The election, for a term's fence; null before {@link #elect}. */
  public LeaderElection election() {
    return election;
  }

  /** The address advertised (valid after {@link #serve}). */
  public String address() {
    return address;
  }

  /** The security settings the server was built with, for the daemon's other servers (HTTP). */
  public SecuritySettings security() {
    return security;
  }

  /** A daemon's line for operators: "DAEMON on ADDRESS (DETAILS, ZooKeeper ..., cluster ...)". */
  public String describe(String daemon, String details) {
    return daemon + " on " + address + " (" + (details.isEmpty() ? "" : details + ", ") + "ZooKeeper "
        + zkSettings.connect() + ", cluster " + cluster + ")";
  }

  @Override
  public void close() {
    LeaderElection e = election;
    if (e != null) {
      e.close();
    }
    if (office != null) {
      office.leave();
    }
    if (server != null) {
      server.close();
    }
    synchronized (this) {
      while (!parts.isEmpty()) {
        AutoCloseable part = parts.pop();
        try {
          part.close();
        } catch (Exception ex) {
          log.warn("closing {} failed", part, ex);
        }
      }
    }
    if (zk != null) {
      zk.close();
    }
  }
}
