package dev.tip.server.internal;

import dev.tip.core.protocol.TunnelFramer;

/**
 * What the control thread does with the bytes a connection sent: its {@link TunnelFramer} splits
 * off the tunnel frames, whose datagrams go to the relay ({@link ControlHandler#tunnelled}), and
 * feeds the rest to the connection's decoder ({@link ControlHandler#decode}). One instance serves
 * every connection, one read at a time, so that a read allocates nothing.
 *
 * <p>Threading: confined to the control thread.
 */
final class TunnelReader implements TunnelFramer.Sink {

    private final ControlHandler handler;
    private Connection current;

    TunnelReader(ControlHandler handler) {
        this.handler = handler;
    }

    /**
     * Splits and handles one read.
     *
     * @param c the connection it came from
     * @param buf the bytes
     * @param n how many, from index 0
     */
    void received(Connection c, byte[] buf, int n) {
        current = c;
        try {
            if (!c.framer.split(buf, 0, n, this) && c.framer.error() != null && c.open()) {
                handler.tunnelError(c, c.framer.error());
            }
        } finally {
            current = null;
        }
    }

    @Override
    public boolean control(byte[] buf, int off, int len) {
        Connection c = current;
        if (!c.open()) {
            return false;
        }
        c.decoder.feed(buf, off, len);
        handler.decode(c);
        return c.open();
    }

    @Override
    public boolean datagram(byte[] buf, int off, int len) {
        Connection c = current;
        return c.open() && handler.tunnelled(c, buf, off, len);
    }
}
