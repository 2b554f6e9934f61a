package consumer;

import dev.tip.audio.OpusFrameDecoder;
import dev.tip.audio.OpusFrameEncoder;
import dev.tip.audio.ToneSource;
import dev.tip.core.TipClient;
import dev.tip.core.TipVersion;
import dev.tip.core.voice.AudioFormat;
import dev.tip.server.TipServer;
import java.net.InetAddress;

/** Embeds a server, joins it with a client on loopback, codes one Opus frame; exit 0 when all worked. */
public final class Main {
    public static void main(String[] args) throws Exception {
        try (TipServer server = TipServer.builder()
                .port(0)
                .bindAddress(InetAddress.getLoopbackAddress())
                .jmx(false)
                .build()
                .start()) {
            TipClient client = TipClient.builder()
                    .server("127.0.0.1", server.tcpPort())
                    .nickname("consumer")
                    .audioSource(new ToneSource(TipClient.ROOM_FORMAT, 440, 0.5))
                    .build();
            try {
                client.connect();
                long deadline = System.nanoTime() + 30_000_000_000L;
                while (server.users().isEmpty() && System.nanoTime() < deadline) {
                    Thread.sleep(10);
                }
                if (server.users().size() != 1) {
                    throw new IllegalStateException("the server does not see the client: " + server.users());
                }
            } finally {
                client.close();
            }
        }
        AudioFormat opus = new AudioFormat(48_000, 1, 16, 960);
        OpusFrameEncoder encoder = new OpusFrameEncoder(opus, OpusFrameEncoder.DEFAULT_BITRATE);
        OpusFrameDecoder decoder = new OpusFrameDecoder(opus);
        byte[] packet = new byte[OpusFrameEncoder.MAX_PACKET_BYTES];
        int length = encoder.encode(new short[960], packet, 0);
        if (length <= 0 || !decoder.decode(packet, 0, length, new short[960])) {
            throw new IllegalStateException("Opus did not code a frame");
        }
        System.out.println("consumer OK with TIP " + TipVersion.version() + " on the "
                + (Main.class.getModule().isNamed() ? "module" : "class") + " path");
    }
}
