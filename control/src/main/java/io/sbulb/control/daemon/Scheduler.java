package io.sbulb.control.daemon;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The daemon's small periodic tasks, run one after the other on one thread (the daemon's), each
 * at its own period. A task that says more work is waiting (a full budget of events) is due again
 * at once; the others keep their period, so a busy task never starves them: each gets its turn
 * in registration order. Time is given by the caller (milliseconds of a monotonic clock), so that
 * tests drive it without sleeping. Not thread-safe.
 */
public final class Scheduler {

    /** One task run. */
    @FunctionalInterface
    public interface Task {
        /** Does one round of work; returns true when more is waiting and it should run again at once. */
        boolean run();
    }

    private static final class Entry {
        final String name;
        final long periodMillis;
        final Task task;
        long due;

        Entry(String name, long periodMillis, Task task, long due) {
            this.name = name;
            this.periodMillis = periodMillis;
            this.task = task;
            this.due = due;
        }
    }

    private final List<Entry> entries = new ArrayList<>();
    private final long startMillis;
    private long now;

    /** A scheduler whose tasks' first runs are one period after {@code startMillis}. */
    public Scheduler(long startMillis) {
        this.startMillis = startMillis;
    }

    /** Adds a task run every {@code periodMillis}, first one period after the start. */
    public Scheduler every(String name, long periodMillis, Task task) {
        if (periodMillis <= 0) {
            throw new IllegalArgumentException(name + ": period " + periodMillis + " ms is not positive");
        }
        entries.add(new Entry(Objects.requireNonNull(name, "name"), periodMillis, Objects.requireNonNull(task, "task"),
                startMillis + periodMillis));
        return this;
    }

    /** The time of the last {@link #runDue} (the start before any): a task's "now". */
    public long now() {
        return Math.max(now, startMillis);
    }

    /** The names of the tasks, in the order they run. */
    public List<String> names() {
        return entries.stream().map(e -> e.name).toList();
    }

    /**
     * Runs every task due at {@code nowMillis}, in registration order; an exception from a task
     * propagates (the daemon treats it as fatal). Returns when the next task is due.
     */
    public long runDue(long nowMillis) {
        now = nowMillis;
        for (Entry e : entries) {
            if (e.due <= nowMillis) {
                e.due = Long.MAX_VALUE; // a dueBy from the task itself lowers it
                boolean more = e.task.run();
                e.due = Math.min(e.due, more ? nowMillis : nowMillis + e.periodMillis);
            }
        }
        return nextDue();
    }

    /**
     * Has the task named {@code name} run at {@code atMillis} at the latest (earlier when it is
     * due earlier); from the task itself, its next run. The daemon's file task runs so, at once,
     * when inotify reports a change, and again soon while a new content settles.
     */
    public void dueBy(String name, long atMillis) {
        Entry e = entry(name);
        e.due = Math.min(e.due, atMillis);
    }

    private Entry entry(String name) {
        for (Entry e : entries) {
            if (e.name.equals(name)) {
                return e;
            }
        }
        throw new IllegalArgumentException("no task '" + name + "' (" + names() + ")");
    }

    /** Runs the task named {@code name} now, out of its schedule (the daemon's last event drain at a stop). */
    public boolean runNow(String name) {
        return entry(name).task.run();
    }

    /** When the earliest task is due, or Long.MAX_VALUE without tasks. */
    public long nextDue() {
        long next = Long.MAX_VALUE;
        for (Entry e : entries) {
            next = Math.min(next, e.due);
        }
        return next;
    }
}
