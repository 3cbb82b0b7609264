package io.sbulb.bench;

import java.util.List;

/**
 * A load balancer under test in the lab's load-balancer namespace: sbulb, or a baseline. Once
 * {@link #start()} returns, UDP to the VIP's benchmark port is balanced over the lab's real
 * servers; {@link #close()} undoes everything start did, leaving the namespace as it found it.
 */
interface Balancer extends AutoCloseable {

    /** The UDP port every balancer balances. */
    int PORT = 5683;

    /** Short name for tables: sbulb, nftables, nginx, minimal-nat. */
    String name();

    /** What exactly runs (version, mode), for the report. */
    String description();

    void start();

    /**
     * The user-space tasks that do per-packet work on the load balancer's core (nginx's
     * worker); the kernel's NAPI thread is counted apart.
     */
    List<Long> userTasks();

    /**
     * Whether the real servers' replies come back through it to the client (the source made the
     * VIP again): the round trips need it, the load steps do not (the sink drops every frame).
     */
    default boolean carriesReplies() {
        return true;
    }

    @Override
    void close();
}
