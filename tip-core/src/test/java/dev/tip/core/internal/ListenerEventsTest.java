package dev.tip.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ListenerEventsTest {

    @Test
    void callbacksRunOneAtATimeInOrderEvenOnAPool() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            ListenerEvents events = new ListenerEvents(pool);
            List<Integer> seen = new CopyOnWriteArrayList<>();
            AtomicInteger running = new AtomicInteger();
            AtomicInteger maxRunning = new AtomicInteger();
            CountDownLatch done = new CountDownLatch(1);
            for (int i = 0; i < 2000; i++) {
                int n = i;
                events.add(() -> {
                    maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
                    seen.add(n);
                    running.decrementAndGet();
                    if (n == 1999) {
                        done.countDown();
                    }
                });
                if (i % 7 == 0) {
                    events.flush();
                }
            }
            events.flush();
            assertThat(done.await(20, TimeUnit.SECONDS)).isTrue();
            List<Integer> expected = new ArrayList<>();
            for (int i = 0; i < 2000; i++) {
                expected.add(i);
            }
            assertThat(seen).isEqualTo(expected);
            assertThat(maxRunning.get()).isEqualTo(1);
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void aCallbackThatThrowsDoesNotStopTheNextOnes() throws Exception {
        ExecutorService one = Executors.newSingleThreadExecutor();
        try {
            ListenerEvents events = new ListenerEvents(one);
            CountDownLatch after = new CountDownLatch(1);
            events.add(() -> {
                throw new IllegalStateException("careless listener");
            });
            events.add(after::countDown);
            events.flush();
            assertThat(after.await(20, TimeUnit.SECONDS)).isTrue();
        } finally {
            one.shutdown();
        }
    }

    @Test
    void shuttingDownWhenIdleNeverLosesAnEventQueuedByAnotherThread() throws Exception {
        for (int round = 0; round < 300; round++) {
            ExecutorService one = Executors.newSingleThreadExecutor();
            ListenerEvents events = new ListenerEvents(one);
            AtomicInteger delivered = new AtomicInteger();
            CountDownLatch go = new CountDownLatch(1);
            Thread other = new Thread(() -> {
                awaitQuietly(go);
                events.add(delivered::incrementAndGet);
                events.flush();
            });
            other.start();
            events.add(delivered::incrementAndGet);
            go.countDown();
            events.flush();
            other.join();
            events.whenIdle(one::shutdown);
            assertThat(one.awaitTermination(20, TimeUnit.SECONDS))
                    .as("the executor ends when idle")
                    .isTrue();
            assertThat(delivered.get()).as("round %d", round).isEqualTo(2);
        }
    }

    @Test
    void whenIdleRunsAtOnceWhenNothingIsPending() {
        ListenerEvents events = new ListenerEvents(Runnable::run);
        AtomicInteger ran = new AtomicInteger();
        events.whenIdle(ran::incrementAndGet);
        assertThat(ran.get()).isEqualTo(1);
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
