package dev.tip.core;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A stand-in that behaves on the wire like the original Python server (PROTOCOL-FACTS.md): blocking
 * sockets, one thread per client reading at most 1024 bytes per recv, splitting what it read at
 * every {@code }{} and parsing each piece alone (a piece that does not parse is ignored);
 * on NAME it broadcasts USERS to every connection and then sends SESSION (smallest free id
 * 0..999); on PORT it registers (TCP peer address, PORT); on DISCONNECT or a broken connection it
 * drops the client and broadcasts USERS again; it relays every datagram from a registered address,
 * unchanged (the join datagram of 'a's included), to every other registered address; on stop it
 * sends {"KEY": 5} to every client. It writes JSON the way Python's json.dumps does.
 */
final class OriginalPythonServer implements AutoCloseable {
    private static final JsonFactory JSON = new JsonFactory();

    private final ServerSocket tcp;
    private final DatagramSocket udp;
    private final List<Client> clients = new ArrayList<>(); // guarded by this
    private final List<Thread> threads = new CopyOnWriteArrayList<>();
    private final Map<SocketAddress, AtomicInteger> datagramsFrom = new ConcurrentHashMap<>();
    private final Map<SocketAddress, byte[]> firstDatagramFrom = new ConcurrentHashMap<>();
    private volatile boolean running = true;

    /** One connected client, as the server sees it. */
    static final class Client {
        final Socket socket;
        volatile String name;
        volatile int session = -1;
        volatile InetSocketAddress voice;
        private final ByteArrayOutputStream received = new ByteArrayOutputStream();
        final List<Map<String, Object>> messages = new CopyOnWriteArrayList<>();

        Client(Socket socket) {
            this.socket = socket;
        }

        synchronized String receivedText() {
            return received.toString(StandardCharsets.ISO_8859_1);
        }

        synchronized void record(byte[] b, int n) {
            received.write(b, 0, n);
        }
    }

    private OriginalPythonServer(LoopbackPorts ports) {
        this.tcp = ports.tcp();
        this.udp = ports.udp();
        start("accept", this::acceptLoop);
        start("udp", this::relayLoop);
    }

    static OriginalPythonServer start() throws IOException {
        return new OriginalPythonServer(LoopbackPorts.bind());
    }

    int port() {
        return tcp.getLocalPort();
    }

    private void start(String role, Runnable body) {
        Thread t = new Thread(body, "original-server-" + role);
        t.setDaemon(true);
        threads.add(t);
        t.start();
    }

    private void acceptLoop() {
        while (running) {
            try {
                Socket s = tcp.accept();
                Client c = new Client(s);
                synchronized (this) {
                    clients.add(c);
                }
                start("client", () -> clientLoop(c));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void clientLoop(Client c) {
        byte[] buf = new byte[1024];
        try {
            InputStream in = c.socket.getInputStream();
            while (running) {
                int n = in.read(buf, 0, 1024); // conn.recv(1024)
                if (n <= 0) {
                    break;
                }
                c.record(buf, n);
                String data = new String(buf, 0, n, StandardCharsets.UTF_8);
                String[] pieces = data.split("\\}\\{", -1);
                for (int i = 0; i < pieces.length; i++) {
                    String piece = (i > 0 ? "{" : "") + pieces[i] + (i < pieces.length - 1 ? "}" : "");
                    Map<String, Object> m;
                    try {
                        m = loads(piece);
                    } catch (IOException | RuntimeException e) {
                        continue; // the original ignores what it cannot parse
                    }
                    c.messages.add(m);
                    if (!handle(c, m)) {
                        return;
                    }
                }
            }
        } catch (IOException e) {
            // a broken connection: treated like a leave
        }
        leave(c);
    }

    /** Returns false when the client has left. */
    private boolean handle(Client c, Map<String, Object> m) throws IOException {
        Object key = m.get("KEY");
        if (!(key instanceof Long k)) {
            return true;
        }
        if (k == 2) {
            c.name = String.valueOf(m.get("NAME"));
            synchronized (this) {
                c.session = freeSession();
                broadcastUsers();
                send(c, dumps("KEY", 6, "SESSION", c.session));
            }
        } else if (k == 7 && m.get("PORT") instanceof Long p) {
            c.voice = new InetSocketAddress(c.socket.getInetAddress(), p.intValue());
        } else if (k == 4) {
            leave(c);
            return false;
        }
        return true;
    }

    private int freeSession() {
        for (int id = 0; id < 1000; id++) {
            boolean used = false;
            for (Client o : clients) {
                used |= o.session == id;
            }
            if (!used) {
                return id;
            }
        }
        throw new IllegalStateException("no free session");
    }

    private void leave(Client c) {
        synchronized (this) {
            if (!clients.remove(c)) {
                return;
            }
            closeQuietly(c.socket);
            broadcastUsers();
        }
    }

    /** Must hold this. */
    private void broadcastUsers() {
        List<String> names = new ArrayList<>();
        for (Client o : clients) {
            if (o.name != null) {
                names.add(o.name);
            }
        }
        String msg = dumps("KEY", 3, "USERS", names);
        for (Client o : clients) {
            send(o, msg);
        }
    }

    private static void send(Client c, String msg) {
        try {
            c.socket.getOutputStream().write(msg.getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
            // the reader thread sees the broken connection
        }
    }

    private void relayLoop() {
        byte[] buf = new byte[65_536];
        DatagramPacket in = new DatagramPacket(buf, buf.length);
        while (running) {
            try {
                in.setLength(buf.length);
                udp.receive(in);
            } catch (IOException e) {
                return;
            }
            SocketAddress from = in.getSocketAddress();
            datagramsFrom.computeIfAbsent(from, a -> new AtomicInteger()).incrementAndGet();
            firstDatagramFrom.putIfAbsent(from, java.util.Arrays.copyOf(buf, in.getLength()));
            List<InetSocketAddress> targets = new ArrayList<>();
            boolean known = false;
            synchronized (this) {
                for (Client c : clients) {
                    if (from.equals(c.voice)) {
                        known = true;
                    } else if (c.voice != null) {
                        targets.add(c.voice);
                    }
                }
            }
            if (!known) {
                continue;
            }
            for (InetSocketAddress to : targets) {
                try {
                    udp.send(new DatagramPacket(buf, in.getLength(), to));
                } catch (IOException e) {
                    // the original ignores send errors too
                }
            }
        }
    }

    synchronized Client client(String name) {
        for (Client c : clients) {
            if (name.equals(c.name)) {
                return c;
            }
        }
        return null;
    }

    synchronized List<String> names() {
        List<String> names = new ArrayList<>();
        for (Client c : clients) {
            names.add(c.name);
        }
        return names;
    }

    int datagramsFrom(SocketAddress a) {
        AtomicInteger n = datagramsFrom.get(a);
        return n == null ? 0 : n.get();
    }

    byte[] firstDatagramFrom(SocketAddress a) {
        return firstDatagramFrom.get(a);
    }

    /** Shuts down as the original does: SERVER_CLOSE to every client, then everything closed. */
    @Override
    public void close() {
        running = false;
        synchronized (this) {
            for (Client c : clients) {
                send(c, dumps("KEY", 5));
            }
            for (Client c : clients) {
                closeQuietly(c.socket);
            }
            clients.clear();
        }
        closeQuietly(tcp);
        udp.close();
        for (Thread t : threads) {
            try {
                t.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static void closeQuietly(java.io.Closeable c) {
        try {
            c.close();
        } catch (IOException e) {
            // closing
        }
    }

    // ---- Python's json, as the original uses it ----

    /** json.dumps of a dict built from name/value pairs: ", " and ": " separators, ASCII only. */
    static String dumps(Object... pairs) {
        StringBuilder sb = new StringBuilder("{");
        for (int i = 0; i < pairs.length; i += 2) {
            if (i > 0) {
                sb.append(", ");
            }
            string(sb, (String) pairs[i]);
            sb.append(": ");
            value(sb, pairs[i + 1]);
        }
        return sb.append('}').toString();
    }

    private static void value(StringBuilder sb, Object v) {
        if (v == null) {
            sb.append("null");
        } else if (v instanceof String s) {
            string(sb, s);
        } else if (v instanceof List<?> list) {
            sb.append('[');
            for (int i = 0; i < list.size(); i++) {
                if (i > 0) {
                    sb.append(", ");
                }
                value(sb, list.get(i));
            }
            sb.append(']');
        } else {
            sb.append(v);
        }
    }

    private static void string(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                default -> {
                    if (c < 0x20 || c > 0x7e) {
                        sb.append('\\').append('u').append(String.format("%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }

    /** json.loads of one piece: one object, nothing after it. */
    static Map<String, Object> loads(String text) throws IOException {
        try (JsonParser p = JSON.createParser(text)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IOException("not an object");
            }
            Map<String, Object> m = readObject(p);
            if (p.nextToken() != null) {
                throw new IOException("Extra data");
            }
            return m;
        }
    }

    private static Map<String, Object> readObject(JsonParser p) throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String k = p.currentName();
            m.put(k, read(p, p.nextToken()));
        }
        return m;
    }

    private static Object read(JsonParser p, JsonToken t) throws IOException {
        switch (t) {
            case VALUE_NUMBER_INT:
                return p.getLongValue();
            case VALUE_STRING:
                return p.getText();
            case VALUE_NULL:
                return null;
            case START_ARRAY: {
                List<Object> list = new ArrayList<>();
                JsonToken e;
                while ((e = p.nextToken()) != JsonToken.END_ARRAY) {
                    list.add(read(p, e));
                }
                return list;
            }
            case START_OBJECT:
                return readObject(p);
            default:
                return p.getText();
        }
    }
}
