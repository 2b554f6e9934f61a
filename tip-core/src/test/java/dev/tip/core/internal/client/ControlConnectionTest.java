package dev.tip.core.internal.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.tip.core.internal.SessionEvent;
import dev.tip.core.protocol.ControlEncoder;
import dev.tip.core.protocol.ControlMessage;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The client's control connection on a real loopback socket: reading, the end, and a send queue that never blocks. */
class ControlConnectionTest {
    private ServerSocket listener;
    private Socket server;
    private SocketChannel client;
    private ControlConnection connection;
    private Thread thread;
    private final List<ControlMessage> messages = new CopyOnWriteArrayList<>();
    private final List<String> ends = new CopyOnWriteArrayList<>();
    private final CountDownLatch ended = new CountDownLatch(1);

    @BeforeEach
    void connect() throws Exception {
        listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        client = SocketChannel.open(new InetSocketAddress(InetAddress.getLoopbackAddress(), listener.getLocalPort()));
        server = listener.accept();
        connection = new ControlConnection(
                "test",
                client,
                new ControlConnection.Callback() {
                    @Override
                    public boolean onMessage(ControlMessage m) {
                        messages.add(m);
                        return true;
                    }

                    @Override
                    public void onEnd(SessionEvent event, String detail) {
                        ends.add(event + ": " + detail);
                        ended.countDown();
                    }
                },
                64 * 1024);
        thread = new Thread(connection::run, "control-under-test");
        thread.setDaemon(true);
        thread.start();
    }

    @AfterEach
    void close() throws Exception {
        connection.close();
        thread.join(10_000);
        server.close();
        listener.close();
    }

    @Test
    void messagesInAnyFramingAreHandedOverInOrderAndTheServersCloseEndsTheConnection() throws Exception {
        OutputStream out = server.getOutputStream();
        byte[] a = new ControlEncoder().encode(new ControlMessage.SendNewUsers(List.of("ann")));
        byte[] b = new ControlEncoder().encode(new ControlMessage.SendNewUsers(List.of("ann", "bob")));
        out.write(a, 0, 3);
        out.flush();
        byte[] rest = new byte[a.length - 3 + b.length];
        System.arraycopy(a, 3, rest, 0, a.length - 3);
        System.arraycopy(b, 0, rest, a.length - 3, b.length);
        out.write(rest);
        out.flush();
        server.shutdownOutput();
        assertThat(ended.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(messages)
                .containsExactly(
                        new ControlMessage.SendNewUsers(List.of("ann")),
                        new ControlMessage.SendNewUsers(List.of("ann", "bob")));
        assertThat(ends).containsExactly("CONNECTION_LOST: the server closed the connection");
        thread.join(30_000);
        assertThat(thread.isAlive()).isFalse();
    }

    @Test
    void aStreamOutOfStepEndsTheConnectionAsAProtocolViolation() throws Exception {
        server.getOutputStream().write("]]]".getBytes(StandardCharsets.US_ASCII));
        server.getOutputStream().flush();
        assertThat(ended.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(ends).singleElement().asString().startsWith("PROTOCOL_VIOLATION");
    }

    @Test
    void sendingToAServerThatNeverReadsNeverBlocksAndRefusesPastTheBound() {
        byte[] message = new byte[4096];
        // a blocking write would hang here once the socket buffers are full; the queue refuses instead
        int accepted = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            int n = 0;
            while (connection.send(message)) {
                n++;
                if (n > 1_000_000) {
                    break;
                }
            }
            return n;
        });
        // what the queue holds (64 KiB) plus what the kernel's buffers took, never unbounded
        assertThat(accepted).isGreaterThanOrEqualTo(16).isLessThan(1_000_000);
    }

    @Test
    void finishWritesEverythingQueuedThenAFin() throws Exception {
        byte[] quit = new ControlEncoder().encode(new ControlMessage.Disconnect(ControlMessage.Disconnect.QUIT));
        byte[] big = new byte[40_000];
        java.util.Arrays.fill(big, (byte) ' ');
        assertThat(connection.send(big)).isTrue();
        assertThat(connection.send(quit)).isTrue();
        connection.finish();
        assertThat(connection.send(quit)).as("nothing after finish").isFalse();
        server.setSoTimeout(30_000);
        InputStream in = server.getInputStream();
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        int n;
        while ((n = in.read(buf)) >= 0) {
            got.write(buf, 0, n);
        }
        byte[] all = got.toByteArray();
        assertThat(all).hasSize(big.length + quit.length);
        assertThat(new String(all, big.length, quit.length, StandardCharsets.UTF_8))
                .isEqualTo(new String(quit, StandardCharsets.UTF_8));
    }
}
