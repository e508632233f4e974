package io.feitian.fuxi.master.scheduler;

/**
 * Outstanding units of one (application, unit, level, target). A bucket waits in up to three
 * queues at once (its own level, and with relaxed locality also the rack and cluster queues), so
 * it carries one pair of queue links per {@link LocalityLevel}, indexed by ordinal.
 */
final class Bucket {
    final AppState app;
    final BucketKey key;
    final UnitSpec spec;
    /** Creation order: FIFO among equals, and the order within a lane. */
    final long seq;
    long count;
    boolean relax;
    final Lane[] lanes = new Lane[3];
    final Bucket[] prev = new Bucket[3];
    final Bucket[] next = new Bucket[3];

    Bucket(AppState app, BucketKey key, UnitSpec spec, long seq) {
        this.app = app;
        this.key = key;
        this.spec = spec;
        this.seq = seq;
    }

    DemandStatus status() {
        return new DemandStatus(app.id, key.unit(), key.level(), key.target(), spec.shape(), spec.priority(), relax, count);
    }
}
