package dev.tip.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;

/**
 * Copies one direction of a proxied TCP connection, for test proxies on loopback: every byte read
 * from one socket is written to the other (and, if given, to a recording), the end of the stream is
 * passed on as a FIN, and a broken connection closes the other side. Runs on the caller's thread
 * until the stream ends.
 */
public final class TcpPump {

    private TcpPump() {}

    /**
     * Copies {@code from} to {@code to} until {@code from} ends.
     *
     * @param from the socket read
     * @param to the socket written
     * @param record where a copy of every byte goes, or null; written under its own monitor, so
     *     that both directions may share it
     */
    public static void copy(Socket from, Socket to, OutputStream record) {
        byte[] buf = new byte[4096];
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            int n;
            while ((n = in.read(buf)) >= 0) {
                if (record != null) {
                    synchronized (record) {
                        record.write(buf, 0, n);
                    }
                }
                out.write(buf, 0, n);
                out.flush();
            }
            to.shutdownOutput();
        } catch (IOException e) {
            try {
                to.close();
            } catch (IOException ignored) {
                // already broken
            }
        }
    }
}
