-- Piece manifests for peer-to-peer distribution (docs/DAYU.md, "Peer-to-peer
-- distribution"): a published package cut into pieces of piece_bytes (the last
-- one shorter), with the SHA-256 of each piece, written in the transaction that
-- stores the package's chunks. piece_sha256 is the pieces' checksums one after
-- the other, 64 lowercase hex digits each (a 2 GiB package in 4 MiB pieces:
-- 32 KiB of text). A version published before V4 gets its manifest the first
-- time an agent asks for it. Same portable SQL rules as V1.

CREATE TABLE package_manifests (
  module_id BIGINT NOT NULL,
  version VARCHAR(64) NOT NULL,
  piece_bytes INTEGER NOT NULL,
  piece_sha256 VARCHAR NOT NULL,
  PRIMARY KEY (module_id, version),
  FOREIGN KEY (module_id, version) REFERENCES module_versions (module_id, version),
  CONSTRAINT package_manifests_piece_bytes CHECK (piece_bytes BETWEEN 16384 AND 67108864)
);
