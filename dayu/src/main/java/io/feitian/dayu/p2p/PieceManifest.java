package io.feitian.dayu.p2p;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A published package cut into pieces of {@code pieceBytes} (the last one shorter), with the
 * SHA-256 of every piece and of the whole. What dayu-server hands an agent before it fetches
 * pieces from peers: a piece is kept only if its checksum is the manifest's, the package is
 * installed only if the whole checksum is. Built once when the package is published and stored
 * beside its chunks (migration V4).
 *
 * @param sha256 the whole package's checksum, 64 lowercase hex digits
 * @param pieceSha256 one checksum per piece, in order
 */
public record PieceManifest(String sha256, long sizeBytes, int pieceBytes, List<String> pieceSha256) {
  /** 4 MiB: big enough that a 2 GiB package is 512 pieces, small enough to spread a 100 MB package over many peers. */
  public static final int DEFAULT_PIECE_BYTES = 4 * 1024 * 1024;
  /** Pieces smaller than this cost more in requests than they gain in spreading. */
  public static final int MIN_PIECE_BYTES = 16 * 1024;
  /** At most this, so one piece fits comfortably in an agent's memory while it is checked. */
  public static final int MAX_PIECE_BYTES = 64 * 1024 * 1024;
  private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

  public PieceManifest {
    checkPieceBytes(pieceBytes);
    if (sizeBytes < 0) {
      throw new IllegalArgumentException("size_bytes must not be negative, got " + sizeBytes);
    }
    checkSha("sha256", sha256);
    pieceSha256 = List.copyOf(pieceSha256);
    long expected = pieceCount(sizeBytes, pieceBytes);
    if (pieceSha256.size() != expected) {
      throw new IllegalArgumentException("piece_sha256 has " + pieceSha256.size() + " checksums, but " + sizeBytes
          + " bytes in pieces of " + pieceBytes + " make " + expected);
    }
    for (int i = 0; i < pieceSha256.size(); i++) {
      checkSha("piece_sha256[" + i + "]", pieceSha256.get(i));
    }
  }

  /** Refuses a piece size outside [{@link #MIN_PIECE_BYTES}, {@link #MAX_PIECE_BYTES}]. */
  public static int checkPieceBytes(long pieceBytes) {
    if (pieceBytes < MIN_PIECE_BYTES || pieceBytes > MAX_PIECE_BYTES) {
      throw new IllegalArgumentException("piece size must be between " + MIN_PIECE_BYTES + " and " + MAX_PIECE_BYTES
          + " bytes, got " + pieceBytes);
    }
    return (int) pieceBytes;
  }

  private static void checkSha(String field, String value) {
    if (value == null || !SHA256.matcher(value).matches()) {
      throw new IllegalArgumentException(field + " must be 64 lowercase hexadecimal digits, got '" + value + "'");
    }
  }

  private static long pieceCount(long sizeBytes, int pieceBytes) {
    return (sizeBytes + pieceBytes - 1) / pieceBytes;
  }

  public int pieceCount() {
    return pieceSha256.size();
  }

  /** Where piece {@code i} starts in the package. */
  public long offset(int piece) {
    checkPiece(piece);
    return (long) piece * pieceBytes;
  }

  /** How many bytes piece {@code i} has: {@code pieceBytes}, less for the last one. */
  public int length(int piece) {
    checkPiece(piece);
    return (int) Math.min(pieceBytes, sizeBytes - offset(piece));
  }

  /** Refuses an index that names no piece (a peer's request, a tracker announce). */
  public void checkPiece(int piece) {
    if (piece < 0 || piece >= pieceCount()) {
      throw new IllegalArgumentException("piece must be in [0, " + pieceCount() + "), got " + piece);
    }
  }

  /** Whether {@code bytes} are piece {@code i}: its length and its checksum. */
  public boolean matches(int piece, byte[] bytes) {
    return bytes.length == length(piece) && pieceSha256.get(piece).equals(hex(newDigest().digest(bytes)));
  }

  /** The piece checksums as one string (64 hex digits each), as the database stores them. */
  public String joinedPieceSha256() {
    return String.join("", pieceSha256);
  }

  /** The manifest from {@link #joinedPieceSha256()}'s form. */
  public static PieceManifest of(String sha256, long sizeBytes, int pieceBytes, String joined) {
    if (joined.length() % 64 != 0) {
      throw new IllegalArgumentException("piece checksums are not a whole number of 64-digit checksums");
    }
    List<String> pieces = new ArrayList<>();
    for (int at = 0; at < joined.length(); at += 64) {
      pieces.add(joined.substring(at, at + 64));
    }
    return new PieceManifest(sha256, sizeBytes, pieceBytes, pieces);
  }

  /** The manifest of {@code bytes}, whole in memory (tests, small packages). */
  public static PieceManifest of(byte[] bytes, int pieceBytes) {
    Builder b = new Builder(pieceBytes);
    b.update(bytes, 0, bytes.length);
    return b.build();
  }

  static MessageDigest newDigest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java has SHA-256", e);
    }
  }

  static String hex(byte[] digest) {
    return HexFormat.of().formatHex(digest);
  }

  /**
   * Builds a manifest from the package's bytes fed in order, in any slicing: the publication
   * feeds its 1 MiB chunks as it stores them, so the package is read once for both.
   */
  public static final class Builder {
    private final int pieceBytes;
    private final MessageDigest whole = newDigest();
    private final MessageDigest piece = newDigest();
    private final List<String> pieces = new ArrayList<>();
    private long size;
    private int inPiece;

    public Builder(int pieceBytes) {
      this.pieceBytes = checkPieceBytes(pieceBytes);
    }

    public void update(byte[] bytes, int off, int len) {
      whole.update(bytes, off, len);
      size += len;
      while (len > 0) {
        int n = Math.min(len, pieceBytes - inPiece);
        piece.update(bytes, off, n);
        inPiece += n;
        off += n;
        len -= n;
        if (inPiece == pieceBytes) {
          pieces.add(hex(piece.digest()));
          inPiece = 0;
        }
      }
    }

    public PieceManifest build() {
      if (inPiece > 0) {
        pieces.add(hex(piece.digest()));
        inPiece = 0;
      }
      return new PieceManifest(hex(whole.digest()), size, pieceBytes, pieces);
    }
  }
}
