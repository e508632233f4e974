-- Release packages in the database (docs/DAYU.md, "Release packages"): the
-- standby shares this database, so after it takes over it serves every version
-- the old leader published, with a data directory of its own. A package of up
-- to 2 GiB is kept as rows of at most 1 MiB, numbered from 0, so neither
-- database holds a huge single value and FetchPackage reads one row at a time.
-- The rows are written in the transaction that records the version. Same
-- portable SQL rules as V1.

CREATE TABLE package_chunks (
  module_id BIGINT NOT NULL,
  version VARCHAR(64) NOT NULL,
  seq INTEGER NOT NULL,
  content BYTEA NOT NULL,
  PRIMARY KEY (module_id, version, seq),
  FOREIGN KEY (module_id, version) REFERENCES module_versions (module_id, version),
  CONSTRAINT package_chunks_seq_positive CHECK (seq >= 0),
  CONSTRAINT package_chunks_content_size CHECK (OCTET_LENGTH(content) BETWEEN 1 AND 1048576)
);
