package dev.tip.core.internal.client;

import dev.tip.core.internal.Speakers;
import dev.tip.core.protocol.ControlEncoder;
import dev.tip.core.protocol.ControlMessage;
import dev.tip.core.protocol.Extensions;
import dev.tip.core.protocol.TipProtocol;
import java.util.function.Consumer;

/**
 * TIP/2 loss feedback (docs/protocol.md, "Loss feedback"), the client's side: every
 * {@link #REPORT_NANOS} it tells the server the share of codec packets it lost from the speakers
 * it hears (LOSS_REPORT), and the server tells it how much loss its own encoder should protect
 * against (LOSS_PROTECT: the worst its listeners report), which turns Opus's in-band FEC on. Only
 * once the server granted the {@code loss} feature.
 *
 * <p>Threading: {@link #afterReceive} runs on the receive path under its lock (one caller at a
 * time); {@link #granted} and {@link #protect} on the control thread; {@link #protection()} and
 * the figures on any thread.
 */
final class LossFeedback {

    /** How often a listener reports: every 2 s while it receives voice. */
    static final long REPORT_NANOS = 2_000_000_000L;

    private final Consumer<byte[]> send;
    private volatile boolean granted;
    private volatile int protection;
    private volatile int reported;
    private long nextReport = Long.MIN_VALUE;

    /**
     * Creates the feedback of one session.
     *
     * @param send sends one encoded control message (the control connection's bounded queue)
     */
    LossFeedback(Consumer<byte[]> send) {
        this.send = send;
    }

    /** Control thread: whether the server's SESSION granted the {@code loss} feature. */
    void granted(boolean granted) {
        this.granted = granted;
    }

    /** Control thread: LOSS_PROTECT arrived. */
    void protect(long percent) {
        this.protection = (int) Math.max(0, Math.min(100, percent));
    }

    /** The loss the server asked this client's encoder to protect against, percent. */
    int protection() {
        return protection;
    }

    /** The loss this client last reported, percent. */
    int reported() {
        return reported;
    }

    /**
     * Receive path, after a datagram: reports the loss when a report is due (allocates one
     * message every {@link #REPORT_NANOS}, nothing otherwise). A loss of 0 is reported only when
     * it changed, so a clean call sends nothing after the first clean report.
     *
     * @param nowNanos the client's clock
     * @param speakers the receive side, which measures the loss
     */
    void afterReceive(long nowNanos, Speakers speakers) {
        if (!granted) {
            return;
        }
        if (nextReport != Long.MIN_VALUE && nowNanos - nextReport < 0) {
            return;
        }
        boolean firstReport = nextReport == Long.MIN_VALUE;
        nextReport = nowNanos + REPORT_NANOS;
        if (firstReport) {
            speakers.lossPercent(); // starts the measurement window
            return;
        }
        int percent = speakers.lossPercent();
        // once this listener reports loss its speakers carry FEC: rebuild from it
        speakers.rebuildLost(percent > 0);
        if (percent == 0 && reported == 0) {
            return;
        }
        reported = percent;
        send.accept(new ControlEncoder()
                .encode(new ControlMessage.Extended(
                        TipProtocol.KEY_LOSS_REPORT,
                        Extensions.builder().put(TipProtocol.LOSS, percent).build())));
    }
}
