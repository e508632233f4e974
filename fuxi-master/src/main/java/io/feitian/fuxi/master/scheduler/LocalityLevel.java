package io.feitian.fuxi.master.scheduler;

/** The levels of the locality tree, from the most specific to the least. */
public enum LocalityLevel {
    /** One named node; the target is a node id. */
    MACHINE,
    /** Any node of one rack; the target is a rack name. */
    RACK,
    /** Any node; the target is empty. */
    CLUSTER
}
