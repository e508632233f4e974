package io.feitian.taskworker.grants;

import io.feitian.proto.fuxi.v1.Grant;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The grants this node holds and the newest leader epoch it has seen, kept
 * on disk so a restarted task-worker can tell a new leader what it holds.
 * Each grant is one small file written atomically (temporary name, then rename).
 * Thread-safe; {@link #awaitGrant} lets a launch wait for an announcement that
 * is still on its way.
 */
public final class GrantBook {
  private static final Logger log = LoggerFactory.getLogger(GrantBook.class);

  private final Path dir;
  private final Path epochFile;
  private final Map<Long, Grant> grants = new TreeMap<>();
  private long epoch;

  public GrantBook(Path stateDir) {
    this.dir = stateDir.resolve("grants");
    this.epochFile = stateDir.resolve("epoch");
    try {
      Files.createDirectories(dir);
      if (Files.exists(epochFile)) {
        byte[] b = Files.readAllBytes(epochFile);
        epoch = b.length == 8 ? ByteBuffer.wrap(b).getLong() : 0;
      }
      try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.grant")) {
        for (Path f : files) {
          try {
            Grant g = Grant.parseFrom(Files.readAllBytes(f));
            grants.put(g.getGrantId(), g);
          } catch (IOException e) {
            log.warn("discarding unreadable grant file {}: {}", f, e.getMessage());
            Files.deleteIfExists(f);
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read grant book in " + stateDir, e);
    }
  }

  public synchronized List<Grant> all() {
    return new ArrayList<>(grants.values());
  }

  public synchronized Optional<Grant> get(long grantId) {
    return Optional.ofNullable(grants.get(grantId));
  }

  public synchronized void add(Grant g) {
    write(file(g.getGrantId()), g.toByteArray());
    grants.put(g.getGrantId(), g);
    notifyAll();
  }

  /** Forgets a grant; returns it if it was held. */
  public synchronized Optional<Grant> remove(long grantId) {
    Grant g = grants.remove(grantId);
    try {
      Files.deleteIfExists(file(grantId));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return Optional.ofNullable(g);
  }

  /** Waits until the grant is held or the deadline passes. */
  public synchronized Optional<Grant> awaitGrant(long grantId, long deadlineNanos) throws InterruptedException {
    while (!grants.containsKey(grantId)) {
      long left = deadlineNanos - System.nanoTime();
      if (left <= 0) {
        return Optional.empty();
      }
      wait(Math.max(1, left / 1_000_000));
    }
    return Optional.of(grants.get(grantId));
  }

  public synchronized long epoch() {
    return epoch;
  }

  /** Records a newer epoch; returns false (and changes nothing) if {@code e} is older than one seen. */
  public synchronized boolean observeEpoch(long e) {
    if (e < epoch) {
      return false;
    }
    if (e > epoch) {
      write(epochFile, ByteBuffer.allocate(8).putLong(e).array());
      epoch = e;
    }
    return true;
  }

  private Path file(long grantId) {
    return dir.resolve(Long.toUnsignedString(grantId) + ".grant");
  }

  private static void write(Path target, byte[] data) {
    Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
    try {
      Files.write(tmp, data);
      try {
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + target, e);
    }
  }
}
