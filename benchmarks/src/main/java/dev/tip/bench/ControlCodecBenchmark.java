package dev.tip.bench;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.async.ByteArrayFeeder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tip.core.protocol.ControlDecoder;
import dev.tip.core.protocol.ControlEncoder;
import dev.tip.core.protocol.ControlMessage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Control codec throughput over a realistic back-to-back stream of control messages (a room where
 * users join, announce their port, get the roster and their session, and leave), beside what a
 * user would write without TIP (databind's tree model) and the limit (raw jackson-core).
 * One operation is the whole stream: {@value #STREAM_MESSAGES} messages.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar ControlCodecBenchmark -prof gc}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ControlCodecBenchmark {

    static final int STREAM_MESSAGES = 200;
    /** A typical TCP segment on loopback with a 1500-byte MTU; splits tokens everywhere. */
    static final int CHUNK = 1448;

    /** "mixed": the room stream; "numeric": SESSION and CLIENT_PORT only (no strings). */
    @Param({"mixed", "numeric"})
    public String stream;

    private List<ControlMessage> messages;
    private byte[] wire;
    private List<byte[]> chunks;
    private List<ObjectNode> trees;

    private final ControlEncoder encoder = new ControlEncoder();
    private final ByteBuffer out = ByteBuffer.allocate(1 << 16);
    private final ObjectMapper mapper = new ObjectMapper();
    private final JsonFactory rawFactory = new JsonFactory();
    private final ReusableSink rawSink = new ReusableSink();
    private JsonGenerator rawGenerator;
    private byte[] pending = new byte[4096];
    private final ControlDecoder connectionDecoder = new ControlDecoder();

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        messages = "numeric".equals(stream) ? numericStream() : roomStream();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ControlEncoder enc = new ControlEncoder();
        for (ControlMessage m : messages) {
            bytes.write(enc.encode(m));
        }
        wire = bytes.toByteArray();
        chunks = new ArrayList<>();
        for (int at = 0; at < wire.length; at += CHUNK) {
            chunks.add(Arrays.copyOfRange(wire, at, Math.min(wire.length, at + CHUNK)));
        }
        trees = new ArrayList<>();
        for (ControlMessage m : messages) {
            trees.add(toTree(m));
        }
        rawGenerator = rawFactory.createGenerator(rawSink);
        // check once that every decoder sees the same number of messages
        int n = decodeCount();
        if (n != messages.size()) {
            throw new IllegalStateException("decoded " + n + " of " + messages.size());
        }
    }

    static List<ControlMessage> roomStream() {
        List<ControlMessage> ms = new ArrayList<>();
        List<String> roster = new ArrayList<>();
        int i = 0;
        while (ms.size() < STREAM_MESSAGES) {
            String name = "user" + i + (i % 3 == 0 ? "-\u00e9t\u00e9" : "");
            ms.add(new ControlMessage.SendNickname(name));
            ms.add(new ControlMessage.ClientPort(40000 + i));
            roster.add(name);
            if (roster.size() > 8) {
                roster.remove(0);
                ms.add(new ControlMessage.Disconnect(ControlMessage.Disconnect.QUIT));
            }
            ms.add(new ControlMessage.SendNewUsers(roster));
            ms.add(new ControlMessage.Session(i % 1000));
            i++;
        }
        return ms.subList(0, STREAM_MESSAGES);
    }

    static List<ControlMessage> numericStream() {
        List<ControlMessage> ms = new ArrayList<>();
        for (int i = 0; ms.size() < STREAM_MESSAGES; i++) {
            ms.add(new ControlMessage.Session(i % 1000));
            ms.add(new ControlMessage.ClientPort(1024 + i));
        }
        return ms;
    }

    private ObjectNode toTree(ControlMessage m) {
        ObjectNode o = mapper.createObjectNode();
        o.put("KEY", m.key());
        if (m instanceof ControlMessage.SendNickname s) {
            o.put("NAME", s.name());
        } else if (m instanceof ControlMessage.SendNewUsers u) {
            ArrayNode a = o.putArray("USERS");
            u.users().forEach(a::add);
        } else if (m instanceof ControlMessage.Disconnect d) {
            o.put("REASON", d.reason());
        } else if (m instanceof ControlMessage.Session s) {
            o.put("SESSION", s.session());
        } else if (m instanceof ControlMessage.ClientPort p) {
            o.put("PORT", p.port());
        }
        return o;
    }

    private int decodeCount() {
        ControlDecoder d = new ControlDecoder();
        int n = 0;
        for (byte[] c : chunks) {
            d.feed(c, 0, c.length);
            while (d.next() != null) {
                n++;
            }
        }
        return n;
    }

    // ---------------------------------------------------------------- decode

    /** TIP: the streaming decoder fed TCP-sized chunks, producing typed messages. */
    @Benchmark
    public void decode(Blackhole bh) {
        ControlDecoder d = new ControlDecoder();
        for (byte[] c : chunks) {
            d.feed(c, 0, c.length);
            ControlMessage m;
            while ((m = d.next()) != null) {
                bh.consume(m);
            }
        }
    }

    /**
     * TIP on a long-lived connection: one decoder reads the stream again and again, so the
     * figure shows what each message costs in steady state (the per-connection setup is gone).
     */
    @Benchmark
    public void decodeSteadyState(Blackhole bh) {
        ControlDecoder d = connectionDecoder;
        for (byte[] c : chunks) {
            d.feed(c, 0, c.length);
            ControlMessage m;
            while ((m = d.next()) != null) {
                bh.consume(m);
            }
        }
    }

    /** The limit: jackson-core's non-blocking parser over the same chunks, tokens only. */
    @Benchmark
    public void decodeBaselineRawTokens(Blackhole bh) throws IOException {
        JsonParser p = rawFactory.createNonBlockingByteArrayParser();
        ByteArrayFeeder feeder = (ByteArrayFeeder) p.getNonBlockingInputFeeder();
        for (byte[] c : chunks) {
            feeder.feedInput(c, 0, c.length);
            JsonToken t;
            while ((t = p.nextToken()) != JsonToken.NOT_AVAILABLE) {
                if (t == JsonToken.VALUE_NUMBER_INT) {
                    bh.consume(p.getIntValue());
                } else if (t == JsonToken.VALUE_STRING) {
                    bh.consume(p.getText());
                } else {
                    bh.consume(t);
                }
            }
        }
        p.close();
    }

    /**
     * Without TIP: what a user writes with databind's tree model. TCP gives chunks, so the user
     * collects them, finds where each object ends (braces outside strings) and reads a tree per
     * message.
     */
    @Benchmark
    public void decodeBaselineDatabind(Blackhole bh) throws IOException {
        byte[] buf = pending;
        int size = 0;
        for (byte[] c : chunks) {
            if (size + c.length > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + c.length));
            }
            System.arraycopy(c, 0, buf, size, c.length);
            size += c.length;
            int start = 0;
            int depth = 0;
            boolean inString = false;
            for (int i = 0; i < size; i++) {
                byte b = buf[i];
                if (inString) {
                    if (b == '\\') {
                        i++;
                    } else if (b == '"') {
                        inString = false;
                    }
                } else if (b == '"') {
                    inString = true;
                } else if (b == '{') {
                    depth++;
                } else if (b == '}' && --depth == 0) {
                    JsonNode n = mapper.readTree(buf, start, i + 1 - start);
                    bh.consume(n.get("KEY").intValue());
                    bh.consume(n);
                    start = i + 1;
                }
            }
            System.arraycopy(buf, start, buf, 0, size - start);
            size -= start;
        }
        pending = buf;
    }

    // ---------------------------------------------------------------- encode

    /** TIP: byte-exact original-peer encoding of every message of the stream. */
    @Benchmark
    public void encode(Blackhole bh) {
        for (ControlMessage m : messages) {
            out.clear();
            bh.consume(encoder.encode(m, out));
        }
    }

    /** The limit: a reused raw JsonGenerator writing the same fields. */
    @Benchmark
    public void encodeBaselineRawGenerator(Blackhole bh) throws IOException {
        JsonGenerator g = rawGenerator;
        for (ControlMessage m : messages) {
            rawSink.size = 0;
            g.writeStartObject();
            g.writeNumberField("KEY", m.key());
            if (m instanceof ControlMessage.SendNickname s) {
                g.writeStringField("NAME", s.name());
            } else if (m instanceof ControlMessage.SendNewUsers u) {
                g.writeArrayFieldStart("USERS");
                for (String user : u.users()) {
                    g.writeString(user);
                }
                g.writeEndArray();
            } else if (m instanceof ControlMessage.Disconnect d) {
                g.writeStringField("REASON", d.reason());
            } else if (m instanceof ControlMessage.Session s) {
                g.writeNumberField("SESSION", s.session());
            } else if (m instanceof ControlMessage.ClientPort p) {
                g.writeNumberField("PORT", p.port());
            }
            g.writeEndObject();
            g.flush();
            bh.consume(rawSink.size);
        }
    }

    /** Without TIP: databind writing a tree per message. */
    @Benchmark
    public void encodeBaselineDatabind(Blackhole bh) throws IOException {
        for (ObjectNode t : trees) {
            bh.consume(mapper.writeValueAsBytes(t));
        }
    }

    /** An output stream that keeps its array between messages. */
    static final class ReusableSink extends OutputStream {
        byte[] bytes = new byte[1 << 16];
        int size;

        @Override
        public void write(int b) {
            bytes[size++] = (byte) b;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            System.arraycopy(b, off, bytes, size, len);
            size += len;
        }
    }
}
