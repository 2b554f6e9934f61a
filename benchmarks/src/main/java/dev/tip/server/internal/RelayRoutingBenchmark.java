package dev.tip.server.internal;

import dev.tip.core.internal.crypto.DatagramOpener;
import dev.tip.core.internal.crypto.DatagramSealer;
import dev.tip.core.internal.crypto.KeyExchange;
import dev.tip.core.internal.crypto.SessionKeys;
import dev.tip.core.voice.PayloadType;
import dev.tip.core.voice.VoiceDatagram;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Clock;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The relay's work for one TIP/2 voice datagram (a 1024-byte PCM frame) from one speaker to
 * {@code recipients} TIP/2 listeners, sockets excluded: {@link Routing#route} with an
 * {@link Routing.Output} that only takes the bytes. {@code encrypted=false}: plaintext TIP/2, the
 * relay forwards slices of one buffer; {@code encrypted=true}: every member encrypts, the relay
 * opens the speaker's datagram once (replay window, AES-128-GCM) and seals one copy per recipient
 * under that recipient's key. Per copy = score / recipients. In the benchmarks module's class path
 * (not tip-server's module), in Routing's package to reach it.
 *
 * <p>{@code path=tunnel}: every listener takes its voice through its control connection
 * (docs/protocol.md, "Voice over the control connection"): the relay's {@link Tunnels} copies each
 * copy into the listener's {@code TunnelQueue}, and the benchmark takes it out again as the control
 * thread would before writing it ({@code takeInto}); the TCP write itself is left out, as the UDP
 * send is for {@code path=udp}, and so is the control selector's wakeup (one per listener whose
 * queue was empty). Per copy, tunnel against udp = the tunnel's extra cost on the server.
 *
 * <p>The speaker's datagrams are sealed in setup ({@link #POOL} of them, consecutive packet
 * numbers), so the score holds the relay's work only; when the pool is used up the speaker's
 * opener is replaced by a fresh one (its replay window empty), once per {@value #POOL} operations.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
public class RelayRoutingBenchmark {

    /** Sealed datagrams prepared per trial. */
    static final int POOL = 4096;

    private static final int MAX = 1024;

    /** Listeners of the speaker. */
    @Param({"1", "8"})
    public int recipients;

    /** Whether every member encrypts. */
    @Param({"false", "true"})
    public boolean encrypted;

    /** How the listeners get their copies: {@code udp} or {@code tunnel}. */
    @Param({"udp", "tunnel"})
    public String path;

    private Routing routing;
    private Member[] listeners;
    private ByteBuffer frame;
    private MemberTable table;
    private Member speaker;
    private InetSocketAddress speakerAddress;
    private ByteBuffer buf;
    private byte[][] datagrams;
    private SessionKeys speakerKeys;
    private int next;
    private long bytes;

    private static SessionKeys keys() {
        KeyExchange c = KeyExchange.generate();
        KeyExchange s = KeyExchange.generate();
        return SessionKeys.derive(c.sharedSecret(s.publicKey()), c.publicKey(), s.publicKey());
    }

    private static Member member(int id, SessionKeys k, InetSocketAddress at) {
        Member m = Member.tip2(id, 100 + id);
        if (k != null) {
            m.opener = new DatagramOpener(k.clientToServerKey(), k.clientToServerIv());
            m.sealer = new DatagramSealer(k.serverToClientKey(), k.serverToClientIv());
        }
        m.address = at;
        return m;
    }

    /** One speaker, the listeners, and the speaker's datagrams (sealed when encrypted). */
    @Setup(Level.Trial)
    public void setUp() {
        table = new MemberTable(recipients + 1, new MemberTable.Bindings() {
            @Override
            public void bound(Member m) {}

            @Override
            public void unbound(Member m) {}
        });
        speakerKeys = encrypted ? keys() : null;
        speakerAddress = new InetSocketAddress("127.0.0.1", 40000);
        speaker = member(0, speakerKeys, speakerAddress);
        table.add(speaker);
        boolean tunnel = path.equals("tunnel");
        listeners = new Member[recipients];
        Counters counters = new Counters();
        for (int i = 1; i <= recipients; i++) {
            Member m = member(i, encrypted ? keys() : null, new InetSocketAddress("127.0.0.1", 40000 + i));
            listeners[i - 1] = m;
            table.add(m);
        }
        Routing.Output udp = new Routing.Output() {
            @Override
            public int send(Member to, ByteBuffer datagram) {
                int n = datagram.remaining();
                bytes += n + datagram.get(datagram.position());
                return n;
            }

            @Override
            public void learned(Member m) {}

            @Override
            public void catchUp() {}
        };
        Tunnels tunnels = new Tunnels(udp, counters, MAX, recipients + 1, () -> {});
        for (Member m : listeners) {
            if (tunnel) {
                m.tunnel = tunnels.newMemberQueue();
                m.viaTunnel = true;
            }
        }
        frame = tunnels.newMemberQueue().newFrameBuffer();
        routing = new Routing(table, MAX, counters, Clock.systemUTC(), tunnels);
        buf = ByteBuffer.allocateDirect(Routing.bufferBytes(MAX)).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer plain = ByteBuffer.allocate(VoiceDatagram.HEADER_LENGTH + 1024);
        DatagramSealer client =
                encrypted ? new DatagramSealer(speakerKeys.clientToServerKey(), speakerKeys.clientToServerIv()) : null;
        datagrams = new byte[encrypted ? POOL : 1][];
        for (int i = 0; i < datagrams.length; i++) {
            new VoiceDatagram()
                    .wrap(plain, 0, plain.capacity())
                    .writeHeader(false, PayloadType.PCM, 0, i & 0xFFFF, 512L * i);
            for (int j = 0; j < 1024; j++) {
                plain.put(VoiceDatagram.HEADER_LENGTH + j, (byte) (i + j));
            }
            if (client == null) {
                datagrams[i] = plain.array().clone();
            } else {
                ByteBuffer out = ByteBuffer.allocate(plain.capacity() + VoiceDatagram.SEALED_OVERHEAD);
                int n = client.seal(plain, 0, plain.capacity(), out, 0);
                datagrams[i] = java.util.Arrays.copyOf(out.array(), n);
            }
        }
    }

    /**
     * One datagram received (copied into the receive buffer, as the socket would) and routed.
     *
     * @return bytes handed to the sockets, so that the work is not eliminated
     */
    @Benchmark
    public long route() {
        if (next == datagrams.length) {
            next = 0;
            if (encrypted) {
                // the pool's packet numbers start again: a new window, as after a rekey
                speaker.opener = new DatagramOpener(speakerKeys.clientToServerKey(), speakerKeys.clientToServerIv());
            }
        }
        byte[] d = datagrams[next++];
        buf.clear().position(Routing.HEAD);
        buf.put(d);
        routing.route(buf, speaker, speakerAddress, d.length);
        for (Member m : listeners) {
            // the control thread's side: the frame out of the queue, ready to write
            if (m.tunnel != null && m.tunnel.takeInto(frame)) {
                bytes += frame.remaining();
            }
        }
        return bytes;
    }
}
