package dev.tip.core.internal;

import dev.tip.core.TipClock;
import java.util.concurrent.locks.LockSupport;

/** {@link TipClock} on {@link System#nanoTime()}. Thread-safe (stateless). */
public final class SystemClock implements TipClock {
    /** The one instance. */
    public static final SystemClock INSTANCE = new SystemClock();

    private SystemClock() {}

    @Override
    public long nanoTime() {
        return System.nanoTime();
    }

    @Override
    public void sleepUntil(long deadline) throws InterruptedException {
        long left;
        while ((left = deadline - System.nanoTime()) > 0) {
            LockSupport.parkNanos(left);
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
        }
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
    }

    @Override
    public String toString() {
        return "SystemClock";
    }
}
