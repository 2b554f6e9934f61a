package dev.tip.samples.embedded;

import dev.tip.server.LeaveReason;
import dev.tip.server.Participant;
import dev.tip.server.ServerListener;
import dev.tip.server.TipServer;
import java.util.concurrent.CountDownLatch;

/**
 * The smallest program that embeds a TIP server: start it, print who comes and goes, stop it
 * gracefully (SERVER_CLOSE to every client) when the JVM is asked to exit. Runs on the main thread;
 * the listener runs on the server's events thread.
 */
public final class EmbeddedServer {

    private EmbeddedServer() {}

    /**
     * Starts a server on the port given as the first argument (default 9999) and serves until
     * Ctrl-C.
     *
     * @param args optional port
     * @throws InterruptedException if interrupted while serving
     */
    public static void main(String[] args) throws InterruptedException {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : TipServer.DEFAULT_PORT;

        TipServer server = TipServer.builder()
                .port(port)
                .listener(new ServerListener() {
                    @Override
                    public void userJoined(Participant user) {
                        System.out.println(user.name() + " joined (id " + user.id() + ")");
                    }

                    @Override
                    public void userLeft(Participant user, LeaveReason reason) {
                        System.out.println(user.name() + " left: " + reason);
                    }
                })
                .build()
                .start();
        System.out.println("TIP server on port " + server.tcpPort());

        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }));
        stopped.await();
    }
}
