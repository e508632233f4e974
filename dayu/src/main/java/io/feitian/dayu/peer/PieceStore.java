package io.feitian.dayu.peer;

import io.feitian.common.files.SafeFiles;
import io.feitian.dayu.p2p.PieceManifest;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.BitSet;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Properties;

/**
 * The pieces of one package on an agent's disk, in {@code packages/MODULE/VERSION.pieces/}: the
 * manifest ({@code manifest}) and one file per piece held ({@code 0}, {@code 1}, ...). A piece is
 * written to a temporary file and renamed only once it matched its checksum, so a file named
 * like a piece is a whole, verified piece; an agent that restarts finds them (and checks them
 * again, in case the disk lost one) and fetches only the rest. Pieces are served to other agents
 * while the rest arrive, and stay until the module is removed (which deletes
 * {@code packages/MODULE/}).
 */
public final class PieceStore {
  private static final String MANIFEST = "manifest";

  private final Path dir;
  private final PieceManifest manifest;
  private final BitSet held = new BitSet();

  private PieceStore(Path dir, PieceManifest manifest) {
    this.dir = dir;
    this.manifest = manifest;
  }

  /**
   * Opens (creating) the store in {@code dir} for {@code manifest}, keeping the pieces already
   * there that still match it. A directory left for another manifest (which a published version
   * never changes to; a database restored from elsewhere might) is emptied.
   */
  public static PieceStore open(Path dir, PieceManifest manifest) throws IOException {
    Optional<PieceManifest> before = readManifest(dir);
    if (before.isPresent() && !before.get().equals(manifest)) {
      SafeFiles.deleteTree(dir);
    }
    Files.createDirectories(dir);
    if (before.isEmpty() || !before.get().equals(manifest)) {
      SafeFiles.writeAtomically(dir.resolve(MANIFEST), text(manifest));
    }
    PieceStore store = new PieceStore(dir, manifest);
    for (int i = 0; i < manifest.pieceCount(); i++) {
      Path file = dir.resolve(Integer.toString(i));
      if (Files.exists(file)) {
        if (manifest.matches(i, Files.readAllBytes(file))) {
          store.held.set(i);
        } else {
          Files.delete(file); // the disk lost it: fetched again
        }
      }
    }
    return store;
  }

  /** The manifest a store in {@code dir} was opened for, if any. */
  static Optional<PieceManifest> readManifest(Path dir) throws IOException {
    Properties p = new Properties();
    try (var in = Files.newBufferedReader(dir.resolve(MANIFEST), StandardCharsets.UTF_8)) {
      p.load(in);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
    try {
      return Optional.of(PieceManifest.of(p.getProperty("sha256", ""), Long.parseLong(p.getProperty("size", "-1")),
          Integer.parseInt(p.getProperty("piece-bytes", "0")), p.getProperty("pieces", "")));
    } catch (IllegalArgumentException e) {
      return Optional.empty(); // unreadable: opened anew
    }
  }

  private static String text(PieceManifest m) {
    return "# dayu-agent: the pieces of a package (docs/DAYU.md, \"Peer-to-peer distribution\")\n"
        + "sha256=" + m.sha256() + "\nsize=" + m.sizeBytes() + "\npiece-bytes=" + m.pieceBytes() + "\npieces="
        + m.joinedPieceSha256() + "\n";
  }

  public PieceManifest manifest() {
    return manifest;
  }

  public synchronized BitSet held() {
    return (BitSet) held.clone();
  }

  public synchronized boolean complete() {
    return held.cardinality() == manifest.pieceCount();
  }

  /**
   * Keeps {@code bytes} as piece {@code piece} if they match its checksum; false (nothing written)
   * if they do not.
   */
  public boolean write(int piece, byte[] bytes) throws IOException {
    if (!manifest.matches(piece, bytes)) {
      return false;
    }
    SafeFiles.writeAtomically(dir.resolve(Integer.toString(piece)), bytes);
    synchronized (this) {
      held.set(piece);
    }
    return true;
  }

  /** Piece {@code piece} as it is on disk, or empty if it is not held. */
  public Optional<byte[]> read(int piece) throws IOException {
    manifest.checkPiece(piece);
    try {
      return Optional.of(Files.readAllBytes(dir.resolve(Integer.toString(piece))));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
  }

  /**
   * Writes the whole package to {@code target} from the pieces, checking the whole SHA-256; a
   * mismatch deletes {@code target} and throws, so nothing unchecked is installed.
   */
  public void assemble(Path target) throws IOException {
    if (!complete()) {
      throw new IllegalStateException("pieces missing: " + manifest.pieceCount() + " needed, " + held().cardinality()
          + " held");
    }
    MessageDigest digest = SafeFiles.sha256();
    try (OutputStream out = Files.newOutputStream(target)) {
      for (int i = 0; i < manifest.pieceCount(); i++) {
        byte[] bytes = read(i).orElseThrow(() -> new IOException("a piece vanished from " + dir));
        digest.update(bytes);
        out.write(bytes);
      }
    }
    String actual = HexFormat.of().formatHex(digest.digest());
    if (!actual.equals(manifest.sha256())) {
      Files.deleteIfExists(target);
      throw new IOException("the pieces make a package with SHA-256 " + actual + ", not the published "
          + manifest.sha256());
    }
  }

  /** The pieces an agent holds under {@code packagesRoot} ({@code ROOT/packages}), for its {@link PieceServer}. */
  public static PieceSource source(Path packagesRoot) {
    return request -> {
      String module = request.getModule();
      String version = request.getVersion();
      int piece = request.getPiece();
      checkName("module", module, MODULE);
      checkName("version", version, VERSION);
      Path dir = packagesRoot.resolve(module).resolve(version + ".pieces");
      try {
        Optional<PieceManifest> m = readManifest(dir);
        if (m.isEmpty()) {
          throw notHeld(module, version, piece);
        }
        m.get().checkPiece(piece);
        byte[] bytes;
        try {
          bytes = Files.readAllBytes(dir.resolve(Integer.toString(piece)));
        } catch (NoSuchFileException e) {
          throw notHeld(module, version, piece);
        }
        if (!m.get().matches(piece, bytes)) {
          throw notHeld(module, version, piece); // the disk lost it: never serve what does not match
        }
        return bytes;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    };
  }

  private static final java.util.regex.Pattern MODULE = java.util.regex.Pattern.compile("[a-z][a-z0-9_-]{0,63}");
  private static final java.util.regex.Pattern VERSION =
      java.util.regex.Pattern.compile("[0-9A-Za-z][0-9A-Za-z.+_-]{0,63}");

  private static void checkName(String field, String value, java.util.regex.Pattern p) {
    if (!p.matcher(value).matches()) {
      throw new IllegalArgumentException(field + " must match " + p + ", got '" + value + "'");
    }
  }

  private static io.grpc.StatusRuntimeException notHeld(String module, String version, int piece) {
    return io.grpc.Status.NOT_FOUND.withDescription("this agent does not hold piece " + piece + " of " + module + " "
        + version).asRuntimeException();
  }
}
