/**
 * Peer-to-peer distribution of release packages (docs/DAYU.md, "Peer-to-peer distribution"): the
 * pure cores, with no gRPC, database, threads, clock or file I/O ({@code P2pArchitectureTest}).
 *
 * <ul>
 *   <li>{@link io.feitian.dayu.p2p.PieceManifest}: a package as pieces with a SHA-256 each and for
 *       the whole, built when the package is published.</li>
 *   <li>{@link io.feitian.dayu.p2p.PiecePicker}: an agent's choice of what to ask whom next
 *       (rarest first, same rack first, the seed last, bounded requests per peer, bad peers
 *       banned).</li>
 *   <li>{@link io.feitian.dayu.p2p.Tracker}: dayu-server's view of which agent holds which
 *       pieces, with expiry of silent agents.</li>
 *   <li>{@link io.feitian.dayu.p2p.UploadSlots}: a bounded number of uploads per peer; the rest
 *       are answered busy.</li>
 * </ul>
 *
 * <p>The shells around them: {@code io.feitian.dayu.server.TrackerApi} and
 * {@code PieceApi} on dayu-server, and {@code io.feitian.dayu.agent.p2p} on the agent (the piece
 * store on disk, the fetcher, the agent's piece server).
 */
package io.feitian.dayu.p2p;
