package dev.tip.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.tip.core.protocol.ControlDecoder;
import dev.tip.core.protocol.ControlMessage;
import dev.tip.core.protocol.ProtocolException;
import dev.tip.core.protocol.TipProtocol;
import java.io.IOException;
import java.io.PrintStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tip load}: K simulated original-dialect clients on loopback, S of them sending 1024-byte
 * datagrams at R per second; measures what the server delivers (loss, duplicates) and the relay
 * latency from a timestamp inside the payload. Speaks only the original protocol, so it loads the
 * original Python server and the C reference relay as well as {@code tip server}. Every wait has a
 * deadline. Confined to the thread that runs it (it starts its own named threads).
 */
@Command(
        name = "load",
        mixinStandardHelpOptions = true,
        exitCodeOnInvalidInput = 2,
        description = {
            "Loads a TIP server on loopback with simulated original clients and reports loss and relay latency.",
            "Exit status: 0 it ran, 1 setup failed (cannot connect or register), 2 bad arguments, 3 the server closed a connection, 4 it overran its time budget (watchdog)."
        })
public final class LoadCommand implements Callable<Integer> {

    private static final int MAGIC = 0x4c504954; // "TIPL" in little-endian byte order
    private static final int SIZE = 1024;
    private static final JsonFactory JSON = new JsonFactory();
    private static final short TYPE_DATA = 0;
    private static final short TYPE_PROBE = 1;
    private static final int OFFSET_TYPE = 4;
    private static final int OFFSET_SENDER = 6;
    private static final int OFFSET_RUN = 8;
    private static final int OFFSET_SEQ = 12;
    private static final int OFFSET_STAMP = 16;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--host", paramLabel = "H", description = "Server host, loopback only. Default: ${DEFAULT-VALUE}.")
    String host = "127.0.0.1";

    @Option(names = "--port", paramLabel = "P", description = "Server port. Default: ${DEFAULT-VALUE}.")
    int port = TipProtocol.DEFAULT_PORT;

    @Option(
            names = "--clients",
            paramLabel = "K",
            description = "Simulated clients, 2..1000. Default: ${DEFAULT-VALUE}.")
    int clients = 2;

    @Option(
            names = "--speakers",
            paramLabel = "S",
            description = "How many of them send, 1..K. Default: ${DEFAULT-VALUE}.")
    int speakers = 1;

    @Option(
            names = "--rate",
            paramLabel = "R",
            description = "Datagrams per second per speaker. Default: ${DEFAULT-VALUE} (voice).")
    double rate = 39.0625;

    @Option(
            names = "--seconds",
            paramLabel = "D",
            description = "Sending time per run, 1..600. Default: ${DEFAULT-VALUE}.")
    int seconds = 10;

    @Option(
            names = "--rooms",
            paramLabel = "N",
            description = "Speak plaintext TIP/2 and spread the clients over N rooms (client i in room load-(i mod N); "
                    + "the server needs --open-rooms); speaker s is client s, so --speakers N is one per room. "
                    + "0 (the default): the original dialect, one room.")
    int rooms;

    @Option(
            names = "--no-deltas",
            description = "--rooms: do not ask for roster deltas (every join then sends everyone the whole roster).")
    boolean noDeltas;

    @Option(names = "--json", description = "Print one JSON line instead of the readable summary.")
    boolean json;

    @Option(
            names = "--find-max",
            description = "Find the highest rate with loss under --max-loss and p99 under --max-p99-ms.")
    boolean findMax;

    @Option(names = "--max-loss", paramLabel = "F", description = "--find-max: loss bound. Default: ${DEFAULT-VALUE}.")
    double maxLoss = 0.01;

    @Option(
            names = "--max-p99-ms",
            paramLabel = "MS",
            description = "--find-max: p99 latency bound. Default: ${DEFAULT-VALUE}.")
    double maxP99Ms = 5;

    @Option(
            names = "--max-steps",
            paramLabel = "N",
            description = "--find-max: most rates tried. Default: ${DEFAULT-VALUE}.")
    int maxSteps = 12;

    private InetSocketAddress server;
    private final List<SocketChannel> tcp = new ArrayList<>();
    private final List<DatagramChannel> udp = new ArrayList<>();
    private final AtomicBoolean serverClosed = new AtomicBoolean();
    private volatile boolean[] proven;
    private volatile Run current;
    private volatile boolean receiving = true;
    private final AtomicLong foreign = new AtomicLong();
    /** Control bytes all clients received, setup included. */
    private final AtomicLong controlBytes = new AtomicLong();
    /** TIP/2 (--rooms): each client's session id and token, from SESSION; -1 until then. */
    private volatile int[] sessionIds;

    private volatile long[] tokens;
    private static final int HEAD = 10;

    /** A client's control connection: its index and decoder. */
    private record ControlState(int index, ControlDecoder decoder) {}

    /** One measured run: written by the sender and receiver threads, read after both are done. */
    private static final class Run {
        final int id;
        final double rate;
        final BitSet[] seen;
        final Histogram latencyUs = new Histogram(60_000_000L, 3);
        long offered;
        long delivered;
        long duplicates;
        long startNanos;
        long endNanos;

        Run(int id, double rate, int speakers, int clients) {
            this.id = id;
            this.rate = rate;
            this.seen = new BitSet[speakers * clients];
            for (int i = 0; i < seen.length; i++) {
                seen[i] = new BitSet();
            }
        }
    }

    @Override
    public Integer call() throws Exception {
        validate();
        long budgetMillis = 15_000L + (long) (findMax ? maxSteps : 1) * (seconds * 1000L + 1500);
        Thread watchdog = new Thread(
                () -> {
                    try {
                        Thread.sleep(budgetMillis);
                        System.err.println("tip load: watchdog fired after " + budgetMillis + " ms");
                        Runtime.getRuntime().halt(4);
                    } catch (InterruptedException e) {
                        // finished in time
                    }
                },
                "tip-load-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        Selector controlSelector = Selector.open();
        Selector udpSelector = Selector.open();
        Thread control = new Thread(() -> controlLoop(controlSelector), "tip-load-control");
        Thread receiver = new Thread(() -> receiveLoop(udpSelector), "tip-load-receive");
        control.setDaemon(true);
        receiver.setDaemon(true);
        try {
            long setupStart = System.nanoTime();
            String error = setup(controlSelector, udpSelector);
            if (error == null) {
                control.start();
                receiver.start();
                error = register();
            }
            if (error != null) {
                reportError(error);
                return 1;
            }
            long setupMs = (System.nanoTime() - setupStart) / 1_000_000;
            if (findMax) {
                findMax(setupMs);
            } else {
                Run r = run(1, rate);
                report(jsonLine(g -> writeRun(g, r, setupMs, null)), summary(r, setupMs));
            }
            return serverClosed.get() ? 3 : 0;
        } finally {
            receiving = false;
            quit();
            controlSelector.close();
            udpSelector.close();
            watchdog.interrupt();
        }
    }

    private void validate() {
        CommandLine cl = spec.commandLine();
        if (clients < 2 || clients > 1000) {
            throw new CommandLine.ParameterException(cl, "--clients must be 2..1000, was " + clients);
        }
        if (speakers < 1 || speakers > clients) {
            throw new CommandLine.ParameterException(cl, "--speakers must be 1.." + clients + ", was " + speakers);
        }
        if (!(rate > 0) || rate > 1_000_000) {
            throw new CommandLine.ParameterException(cl, "--rate must be above 0 and at most 1000000, was " + rate);
        }
        if (seconds < 1 || seconds > 600) {
            throw new CommandLine.ParameterException(cl, "--seconds must be 1..600, was " + seconds);
        }
        if (port < 1 || port > 65_535) {
            throw new CommandLine.ParameterException(cl, "--port must be 1..65535, was " + port);
        }
        if (!(maxLoss >= 0) || !(maxP99Ms > 0) || maxSteps < 1 || maxSteps > 40) {
            throw new CommandLine.ParameterException(
                    cl, "--max-loss must be at least 0, --max-p99-ms positive, --max-steps 1..40");
        }
        if (rooms < 0 || rooms > clients || (rooms > 0 && clients % rooms != 0)) {
            throw new CommandLine.ParameterException(
                    cl, "--rooms must be 0..K and divide K (" + clients + "), was " + rooms);
        }
        if ((long) speakers * clients * (long) Math.ceil(rate * seconds) / 8 > (1L << 30)) {
            throw new CommandLine.ParameterException(cl, "speakers x clients x rate x seconds is too large to track");
        }
        InetAddress address;
        try {
            address = InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            throw new CommandLine.ParameterException(cl, "--host: unknown host " + host);
        }
        if (!address.isLoopbackAddress()) {
            throw new CommandLine.ParameterException(
                    cl, "--host must be a loopback address (tip load only loads local servers), was " + host);
        }
        server = new InetSocketAddress(address, port);
    }

    private void report(String jsonLine, String text) {
        PrintStream out = System.out;
        out.println(json ? jsonLine : text);
        out.flush();
    }

    /** An error: its text on standard error; with --json also a JSON object with "error" on standard output. */
    private void reportError(String error) {
        System.err.println("tip load: setup failed: " + error);
        System.err.flush();
        if (json) {
            System.out.println(jsonLine(g -> {
                g.writeStartObject();
                g.writeStringField("tool", "tip-load");
                g.writeStringField("error", error);
                g.writeEndObject();
            }));
            System.out.flush();
        }
    }

    /** What writes one JSON value. */
    @FunctionalInterface
    interface JsonWriting {
        void write(JsonGenerator g) throws IOException;
    }

    /** One JSON line, written (and escaped) by jackson-core. */
    static String jsonLine(JsonWriting writing) {
        StringWriter w = new StringWriter();
        try (JsonGenerator g = JSON.createGenerator(w)) {
            writing.write(g);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a StringWriter does not fail
        }
        return w.toString();
    }

    // ---------------------------------------------------------------- setup

    private String setup(Selector controlSelector, Selector udpSelector) throws IOException {
        String prefix = "tl" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0x10000)) + "-";
        proven = new boolean[clients];
        sessionIds = new int[clients];
        java.util.Arrays.fill(sessionIds, -1);
        tokens = new long[clients];
        byte[] greeting = TipProtocol.greeting();
        for (int i = 0; i < clients; i++) {
            SocketChannel ch = SocketChannel.open();
            tcp.add(ch);
            try {
                ch.socket().connect(server, 5000);
            } catch (IOException e) {
                return "connect " + server + ": " + e.getMessage() + " (client " + i + ")";
            }
            ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
            InetAddress local = ((InetSocketAddress) ch.getLocalAddress()).getAddress();
            DatagramChannel dc = DatagramChannel.open();
            dc.setOption(StandardSocketOptions.SO_RCVBUF, 1 << 20);
            dc.bind(new InetSocketAddress(local, 0));
            udp.add(dc);
            int udpPort = ((InetSocketAddress) dc.getLocalAddress()).getPort();
            // as the original client: nickname and port in one write, then the greeting datagram
            String tip2 = rooms == 0
                    ? ""
                    : ", \"VERSION\": 2, \"ROOM\": \"load-" + (i % rooms) + "\""
                            + (noDeltas ? "" : ", \"FEATURES\": [\"rooms\", \"deltas\"]");
            String hello =
                    "{\"KEY\": 2, \"NAME\": \"" + prefix + i + "\"" + tip2 + "}{\"KEY\": 7, \"PORT\": " + udpPort + "}";
            ByteBuffer b = ByteBuffer.wrap(hello.getBytes(StandardCharsets.US_ASCII));
            while (b.hasRemaining()) {
                ch.write(b);
            }
            if (rooms == 0) {
                dc.send(ByteBuffer.wrap(greeting), server);
            }
            ch.configureBlocking(false);
            ch.register(controlSelector, SelectionKey.OP_READ, new ControlState(i, new ControlDecoder()));
            dc.configureBlocking(false);
            dc.register(udpSelector, SelectionKey.OP_READ, i);
        }
        return null;
    }

    /** TIP/2: every client's SESSION, then HELLO until its HELLO_ACK. */
    private String registerTip2() throws IOException {
        long deadline = System.nanoTime() + 30_000_000_000L;
        ByteBuffer hello = ByteBuffer.allocate(HEAD + 8);
        while (true) {
            int unproven = 0;
            for (int i = 0; i < clients; i++) {
                if (proven[i]) {
                    continue;
                }
                unproven++;
                if (sessionIds[i] < 0) {
                    continue;
                }
                hello.clear();
                hello.put((byte) 0x80).put((byte) 16).putShort((short) sessionIds[i]);
                hello.putShort((short) 0).putInt(0).putLong(tokens[i]);
                hello.flip();
                udp.get(i).send(hello, server);
            }
            if (unproven == 0) {
                return null;
            }
            if (System.nanoTime() > deadline) {
                return unproven + " of " + clients + " clients never got SESSION and HELLO_ACK";
            }
            if (serverClosed.get()) {
                return "the server closed a control connection during setup";
            }
            LockSupport.parkNanos(100_000_000L);
        }
    }

    /** Proves every client registered: its probe relayed, or a relayed probe received. */
    private String register() throws IOException {
        if (rooms > 0) {
            return registerTip2();
        }
        long deadline = System.nanoTime() + 10_000_000_000L;
        ByteBuffer probe = ByteBuffer.allocateDirect(SIZE).order(ByteOrder.LITTLE_ENDIAN);
        int next = 0;
        while (true) {
            int unproven = 0;
            for (boolean p : proven) {
                if (!p) {
                    unproven++;
                }
            }
            if (unproven == 0) {
                break;
            }
            if (System.nanoTime() > deadline) {
                return unproven + " of " + clients + " clients never registered";
            }
            if (serverClosed.get()) {
                return "the server closed a control connection during setup";
            }
            // up to 8 unproven clients send a probe each round: K-1 copies each, not K squared
            int sent = 0;
            for (int n = 0; n < clients && sent < 8; n++) {
                int i = (next + n) % clients;
                if (!proven[i]) {
                    stamp(probe, TYPE_PROBE, i, 0, 0);
                    udp.get(i).send(probe, server);
                    sent++;
                }
            }
            next = (next + 8) % clients;
            LockSupport.parkNanos(100_000_000L);
        }
        // quiet: no more probes arriving
        long last = probesSeen.get();
        long quietUntil = System.nanoTime() + 200_000_000L;
        while (System.nanoTime() < quietUntil) {
            LockSupport.parkNanos(50_000_000L);
            long now = probesSeen.get();
            if (now != last) {
                last = now;
                quietUntil = System.nanoTime() + 200_000_000L;
            }
            if (System.nanoTime() > deadline + 2_000_000_000L) {
                break;
            }
        }
        return null;
    }

    private final AtomicLong probesSeen = new AtomicLong();

    private static void stamp(ByteBuffer b, short type, int sender, int run, int seq) {
        b.clear();
        b.putInt(0, MAGIC);
        b.putShort(OFFSET_TYPE, type);
        b.putShort(OFFSET_SENDER, (short) sender);
        b.putInt(OFFSET_RUN, run);
        b.putInt(OFFSET_SEQ, seq);
        b.putLong(OFFSET_STAMP, System.nanoTime());
        b.limit(SIZE);
    }

    private void quit() {
        byte[] bye = "{\"KEY\": 4, \"REASON\": \"Quit\"}".getBytes(StandardCharsets.US_ASCII);
        for (SocketChannel ch : tcp) {
            try {
                if (ch.isOpen() && ch.isConnected()) {
                    ch.write(ByteBuffer.wrap(bye));
                }
                ch.close();
            } catch (IOException e) {
                // the server may have gone already
            }
        }
        for (DatagramChannel dc : udp) {
            try {
                dc.close();
            } catch (IOException e) {
                // nothing to do
            }
        }
    }

    // ---------------------------------------------------------------- threads

    private void controlLoop(Selector selector) {
        ByteBuffer buf = ByteBuffer.allocate(8192);
        try {
            while (receiving && selector.isOpen()) {
                selector.select(
                        key -> {
                            SocketChannel ch = (SocketChannel) key.channel();
                            ControlState state = (ControlState) key.attachment();
                            ControlDecoder d = state.decoder();
                            buf.clear();
                            int n;
                            try {
                                n = ch.read(buf);
                            } catch (IOException e) {
                                n = -1;
                            }
                            if (n < 0) {
                                key.cancel();
                                if (receiving) {
                                    serverClosed.set(true);
                                }
                                return;
                            }
                            controlBytes.addAndGet(n);
                            d.feed(buf.array(), 0, n);
                            try {
                                ControlMessage m;
                                while ((m = d.next()) != null) {
                                    if (m instanceof ControlMessage.ServerClose
                                            || m instanceof ControlMessage.Disconnect) {
                                        serverClosed.set(true);
                                    }
                                    if (m instanceof ControlMessage.Session session && rooms > 0) {
                                        String token = session.extensions()
                                                .getString("TOKEN")
                                                .orElse("0");
                                        tokens[state.index()] = java.util.HexFormat.fromHexDigitsToLong(token);
                                        sessionIds[state.index()] = session.session();
                                    }
                                }
                            } catch (ProtocolException e) {
                                // a message the tool does not understand: the server's business, not the load's
                                if (!e.isRecoverable()) {
                                    key.cancel();
                                }
                            }
                        },
                        200);
            }
        } catch (IOException | java.nio.channels.ClosedSelectorException e) {
            // finished
        }
    }

    private void receiveLoop(Selector selector) {
        ByteBuffer b = ByteBuffer.allocateDirect(2048).order(ByteOrder.LITTLE_ENDIAN);
        try {
            while (receiving && selector.isOpen()) {
                selector.select(
                        key -> {
                            DatagramChannel dc = (DatagramChannel) key.channel();
                            int receiver = (Integer) key.attachment();
                            for (int i = 0; i < 16; i++) {
                                b.clear();
                                try {
                                    if (dc.receive(b) == null) {
                                        return;
                                    }
                                } catch (IOException e) {
                                    return;
                                }
                                long now = System.nanoTime();
                                b.flip();
                                onDatagram(b, receiver, now);
                            }
                        },
                        200);
            }
        } catch (IOException | java.nio.channels.ClosedSelectorException e) {
            // finished
        }
    }

    private void onDatagram(ByteBuffer b, int receiver, long now) {
        int base = 0;
        if (rooms > 0) {
            // TIP/2: HELLO_ACK proves the client; voice carries the server's 10-byte header
            if (b.remaining() < HEAD || (b.get(0) & 0xC0) != 0x80) {
                foreign.incrementAndGet();
                return;
            }
            if (b.get(1) == 17) {
                proven[receiver] = true;
                return;
            }
            base = HEAD;
        }
        if (b.remaining() < base + OFFSET_STAMP + 8 || b.getInt(base) != MAGIC) {
            foreign.incrementAndGet();
            return;
        }
        int sender = b.getShort(base + OFFSET_SENDER);
        if (sender < 0 || sender >= clients) {
            foreign.incrementAndGet();
            return;
        }
        if (b.getShort(base + OFFSET_TYPE) == TYPE_PROBE) {
            probesSeen.incrementAndGet();
            proven[sender] = true;
            proven[receiver] = true;
            return;
        }
        Run r = current;
        if (r == null || b.getInt(base + OFFSET_RUN) != r.id || sender >= speakers || sender == receiver) {
            return;
        }
        int seq = b.getInt(base + OFFSET_SEQ);
        long us = Math.max(0, (now - b.getLong(base + OFFSET_STAMP)) / 1000);
        // uncontended: publishes the counts to the thread that reads the run afterwards
        synchronized (r) {
            BitSet seen = r.seen[sender * clients + receiver];
            if (seen.get(seq)) {
                r.duplicates++;
                return;
            }
            seen.set(seq);
            r.delivered++;
            r.latencyUs.recordValue(Math.min(us, r.latencyUs.getHighestTrackableValue()));
        }
    }

    // ---------------------------------------------------------------- runs

    private Run run(int id, double perSpeaker) throws InterruptedException {
        Run r = new Run(id, perSpeaker, speakers, clients);
        current = r;
        long period = Math.max(1, Math.round(1e9 / perSpeaker));
        long count = Math.max(1, Math.round(perSpeaker * seconds));
        Thread sender = new Thread(() -> send(r, period, count), "tip-load-send");
        sender.start();
        sender.join(seconds * 1000L + 5000);
        // drain what is still in flight
        long drainUntil = System.nanoTime() + 500_000_000L;
        while (System.nanoTime() < drainUntil) {
            LockSupport.parkNanos(drainUntil - System.nanoTime());
        }
        current = null;
        // let the receive thread finish the datagram it may be handling
        LockSupport.parkNanos(20_000_000L);
        synchronized (r) {
            return r;
        }
    }

    private void send(Run r, long period, long count) {
        ByteBuffer[] bufs = new ByteBuffer[speakers];
        long[] next = new long[speakers];
        int[] seq = new int[speakers];
        long start = System.nanoTime() + 1_000_000L;
        int head = rooms > 0 ? HEAD : 0;
        ByteBuffer[] payloads = new ByteBuffer[speakers];
        for (int s = 0; s < speakers; s++) {
            bufs[s] = ByteBuffer.allocateDirect(head + SIZE).order(ByteOrder.LITTLE_ENDIAN);
            payloads[s] = bufs[s].position(head).slice().order(ByteOrder.LITTLE_ENDIAN);
            bufs[s].clear();
            next[s] = start + period * s / speakers;
        }
        r.startNanos = start;
        long offered = 0;
        long end = start + period * count;
        while (true) {
            long soonest = Long.MAX_VALUE;
            boolean any = false;
            long now = System.nanoTime();
            for (int s = 0; s < speakers; s++) {
                if (seq[s] >= count) {
                    continue;
                }
                any = true;
                if (next[s] <= now) {
                    if (head > 0) {
                        // the TIP/2 header (big-endian), then the stamped payload
                        ByteBuffer whole = bufs[s];
                        stamp(payloads[s], TYPE_DATA, s, r.id, seq[s]);
                        whole.clear();
                        whole.put(0, (byte) 0x80).put(1, (byte) 0);
                        whole.order(ByteOrder.BIG_ENDIAN)
                                .putShort(2, (short) sessionIds[s])
                                .putShort(4, (short) seq[s])
                                .putInt(6, seq[s] * 512)
                                .order(ByteOrder.LITTLE_ENDIAN);
                        whole.limit(head + SIZE);
                    } else {
                        stamp(bufs[s], TYPE_DATA, s, r.id, seq[s]);
                    }
                    try {
                        udp.get(s).send(bufs[s], server);
                        offered++;
                    } catch (IOException e) {
                        // counted as not offered
                    }
                    seq[s]++;
                    next[s] += period;
                }
                soonest = Math.min(soonest, next[s]);
            }
            if (!any || System.nanoTime() > end + 2_000_000_000L) {
                break;
            }
            long wait = soonest - System.nanoTime();
            if (wait > 50_000) {
                LockSupport.parkNanos(wait - 50_000);
            }
        }
        r.endNanos = System.nanoTime();
        r.offered = offered;
    }

    private void findMax(long setupMs) throws InterruptedException {
        double lo = 0;
        double hi = Double.MAX_VALUE;
        double level = rate;
        Run best = null;
        List<Run> steps = new ArrayList<>();
        List<Boolean> passed = new ArrayList<>();
        for (int step = 1; step <= maxSteps; step++) {
            Run r = run(step, level);
            boolean pass = passes(r);
            if (!json) {
                System.out.println(String.format(
                                Locale.ROOT, "step %d: %.1f pps per speaker: %s", step, level, pass ? "pass" : "fail")
                        + " (" + oneLine(r) + ")");
            }
            steps.add(r);
            passed.add(pass);
            if (pass) {
                lo = level;
                if (best == null || r.delivered > best.delivered) {
                    best = r;
                }
            } else {
                hi = level;
            }
            if (serverClosed.get()) {
                break;
            }
            if (hi == Double.MAX_VALUE) {
                level = level * 2;
            } else if (lo == 0) {
                level = level / 2;
            } else if (hi / lo <= 1.08) {
                break;
            } else {
                level = Math.sqrt(lo * hi);
            }
        }
        Run bestRun = best;
        String line = jsonLine(g -> {
            g.writeStartObject();
            g.writeStringField("tool", "tip-load");
            g.writeStringField("mode", "find-max");
            g.writeNumberField("clients", clients);
            g.writeNumberField("speakers", speakers);
            g.writeNumberField("max_loss", maxLoss);
            g.writeNumberField("max_p99_us", Math.round(maxP99Ms * 1000));
            g.writeNumberField("max_delivered_per_s", round(bestRun == null ? 0.0 : perSecond(bestRun), 1));
            g.writeFieldName("best");
            if (bestRun == null) {
                g.writeNull();
            } else {
                writeRun(g, bestRun, setupMs, true);
            }
            g.writeArrayFieldStart("steps");
            for (int i = 0; i < steps.size(); i++) {
                writeRun(g, steps.get(i), setupMs, passed.get(i));
            }
            g.writeEndArray();
            g.writeEndObject();
        });
        report(
                line,
                best == null
                        ? "no rate passed"
                        : "best: " + String.format(Locale.ROOT, "%.1f", best.rate) + " pps per speaker, "
                                + String.format(Locale.ROOT, "%.0f", perSecond(best)) + " deliveries/s\n"
                                + summary(best, setupMs));
    }

    private boolean passes(Run r) {
        return expected(r) > 0 && loss(r) < maxLoss && r.latencyUs.getValueAtPercentile(99) < maxP99Ms * 1000;
    }

    private long expected(Run r) {
        // each room holds K/N clients (--rooms), the whole K otherwise
        return r.offered * ((rooms > 0 ? clients / rooms : clients) - 1);
    }

    private double loss(Run r) {
        long e = expected(r);
        return e == 0 ? 0 : Math.max(0, 1.0 - (double) r.delivered / e);
    }

    private static double perSecond(Run r) {
        double s = Math.max(1e-9, (r.endNanos - r.startNanos) / 1e9);
        return r.delivered / s;
    }

    private void writeRun(JsonGenerator g, Run r, long setupMs, Boolean pass) throws IOException {
        Histogram h = r.latencyUs;
        g.writeStartObject();
        g.writeStringField("tool", "tip-load");
        g.writeStringField("mode", "run");
        g.writeStringField("host", server.getAddress().getHostAddress());
        g.writeNumberField("port", port);
        g.writeNumberField("clients", clients);
        g.writeNumberField("speakers", speakers);
        g.writeNumberField("rooms", rooms);
        g.writeBooleanField("deltas", rooms > 0 && !noDeltas);
        g.writeNumberField("control_bytes", controlBytes.get());
        g.writeNumberField("rate_pps", round(r.rate, 4));
        g.writeNumberField("seconds", seconds);
        g.writeNumberField("setup_ms", setupMs);
        g.writeNumberField("offered", r.offered);
        g.writeNumberField("expected", expected(r));
        g.writeNumberField("delivered", r.delivered);
        g.writeNumberField("duplicates", r.duplicates);
        g.writeNumberField("loss", round(loss(r), 6));
        g.writeNumberField("delivered_per_s", round(perSecond(r), 1));
        g.writeNumberField("lat_p50_us", h.getValueAtPercentile(50));
        g.writeNumberField("lat_p99_us", h.getValueAtPercentile(99));
        g.writeNumberField("lat_p999_us", h.getValueAtPercentile(99.9));
        g.writeNumberField("lat_max_us", h.getMaxValue());
        g.writeNumberField("foreign", foreign.get());
        g.writeBooleanField("server_closed", serverClosed.get());
        if (pass != null) {
            g.writeBooleanField("pass", pass);
        }
        g.writeEndObject();
    }

    /** {@code value} rounded to {@code places} decimals (as the former fixed-point output had). */
    private static double round(double value, int places) {
        return java.math.BigDecimal.valueOf(value)
                .setScale(places, java.math.RoundingMode.HALF_EVEN)
                .doubleValue();
    }

    private String oneLine(Run r) {
        Histogram h = r.latencyUs;
        return String.format(
                Locale.ROOT,
                "loss %.4f%%, p50 %d us, p99 %d us",
                100 * loss(r),
                h.getValueAtPercentile(50),
                h.getValueAtPercentile(99));
    }

    private String summary(Run r, long setupMs) {
        Histogram h = r.latencyUs;
        return String.format(
                Locale.ROOT,
                "tip load: %d clients on %s:%d, %d-byte datagrams, setup %d ms%n"
                        + "  speakers %d x %.2f pps for %d s: offered %d, expected %d, delivered %d (%.0f/s), loss %.4f%%, duplicates %d%n"
                        + "  relay latency us (send to receive, app to app): p50 %d  p99 %d  p99.9 %d  max %d%n"
                        + "  %s, control bytes received in all %d%s",
                clients,
                server.getAddress().getHostAddress(),
                port,
                SIZE,
                setupMs,
                speakers,
                r.rate,
                seconds,
                r.offered,
                expected(r),
                r.delivered,
                perSecond(r),
                100 * loss(r),
                r.duplicates,
                h.getValueAtPercentile(50),
                h.getValueAtPercentile(99),
                h.getValueAtPercentile(99.9),
                h.getMaxValue(),
                rooms > 0
                        ? "TIP/2 in " + rooms + " room(s) of " + clients / rooms
                                + (noDeltas ? ", no deltas" : ", deltas")
                        : "original dialect, one room",
                controlBytes.get(),
                serverClosed.get() ? "\n  the server closed a control connection" : "");
    }
}
