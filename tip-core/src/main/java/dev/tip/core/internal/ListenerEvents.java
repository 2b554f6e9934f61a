package dev.tip.core.internal;

import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs listener callbacks on an executor, one at a time and in the order they were added,
 * whatever the executor (a pool included); catches and logs what a callback throws. Events are
 * added with the client's lock held (so their order is the order of the state changes) and
 * handed to the executor by {@link #flush()} after the lock is released, so no foreign code runs
 * under the lock. Thread-safe.
 */
public final class ListenerEvents {
    private static final Logger log = LoggerFactory.getLogger(ListenerEvents.class);

    private final Executor executor;
    private final ArrayDeque<Runnable> queue = new ArrayDeque<>();
    private boolean scheduled;
    private Runnable whenIdle;

    /**
     * Creates a queue of callbacks.
     *
     * @param executor where callbacks run
     */
    public ListenerEvents(Executor executor) {
        this.executor = Objects.requireNonNull(executor, "executor");
    }

    /**
     * Queues a callback; it runs after the next {@link #flush()}.
     *
     * @param callback the call to the listener
     */
    public synchronized void add(Runnable callback) {
        queue.add(callback);
    }

    /** Hands queued callbacks to the executor, unless a drain is already scheduled or running. */
    public void flush() {
        synchronized (this) {
            if (scheduled || queue.isEmpty()) {
                return;
            }
            scheduled = true;
        }
        try {
            executor.execute(this::drain);
        } catch (RejectedExecutionException e) {
            int lost;
            synchronized (this) {
                scheduled = false;
                lost = queue.size();
                queue.clear();
            }
            log.warn("listener executor rejected {} event(s); they are dropped", lost);
        }
    }

    /**
     * Runs {@code action} once every callback queued so far has run: at once if none is pending,
     * else on the executor after the last one. Used to shut down an executor only when it has
     * nothing left to do (a shutdown while another thread is between queueing and handing over
     * would make the executor reject, and lose, the session's last events).
     *
     * @param action what to do when idle, for example shutting down the executor
     */
    public void whenIdle(Runnable action) {
        synchronized (this) {
            if (scheduled || !queue.isEmpty()) {
                whenIdle = action;
                return;
            }
        }
        action.run();
    }

    private void drain() {
        while (true) {
            Runnable next;
            Runnable idle = null;
            synchronized (this) {
                next = queue.poll();
                if (next == null) {
                    scheduled = false;
                    idle = whenIdle;
                    whenIdle = null;
                }
            }
            if (next == null) {
                if (idle != null) {
                    idle.run();
                }
                return;
            }
            try {
                next.run();
            } catch (RuntimeException | Error e) {
                log.warn("a session listener threw; TIP ignores it", e);
            }
        }
    }
}
