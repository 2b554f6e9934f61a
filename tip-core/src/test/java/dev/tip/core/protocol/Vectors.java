package dev.tip.core.protocol;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Loads the control message test vectors from src/test/resources/vectors. The vector files are
 * read with a plain blocking jackson-core parser, independent of the decoder under test.
 */
final class Vectors {

    record Vector(String name, ControlMessage message, byte[] wire) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static final JsonFactory JSON = new JsonFactory();

    static final List<Vector> ORIGINAL = load("/vectors/original-dialect.jsonl");
    static final List<Vector> DECODE_ONLY = load("/vectors/decode-only.jsonl");

    private Vectors() {}

    static List<Vector> load(String resource) {
        try (InputStream in = Vectors.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + resource);
            }
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            List<Vector> out = new ArrayList<>();
            String line;
            while ((line = r.readLine()) != null) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                JsonValue.Obj o = (JsonValue.Obj) parse(line);
                String name = ((JsonValue.Str) o.fields().get("name")).value();
                ControlMessage m = toMessage((JsonValue.Obj) o.fields().get("message"));
                byte[] wire = ((JsonValue.Str) o.fields().get("wire")).value().getBytes(StandardCharsets.UTF_8);
                out.add(new Vector(name, m, wire));
            }
            return List.copyOf(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static JsonValue parse(String json) throws IOException {
        try (JsonParser p = JSON.createParser(json)) {
            p.nextToken();
            return read(p);
        }
    }

    private static JsonValue read(JsonParser p) throws IOException {
        JsonToken t = p.currentToken();
        switch (t) {
            case START_OBJECT: {
                Map<String, JsonValue> m = new LinkedHashMap<>();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String n = p.currentName();
                    p.nextToken();
                    m.put(n, read(p));
                }
                return new JsonValue.Obj(m);
            }
            case START_ARRAY: {
                List<JsonValue> l = new ArrayList<>();
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    l.add(read(p));
                }
                return new JsonValue.Arr(l);
            }
            case VALUE_STRING:
                return new JsonValue.Str(p.getText());
            case VALUE_NUMBER_INT:
                return new JsonValue.Num(new java.math.BigDecimal(p.getBigIntegerValue()));
            case VALUE_NUMBER_FLOAT:
                return new JsonValue.Num(p.getDecimalValue());
            case VALUE_TRUE:
                return JsonValue.TRUE;
            case VALUE_FALSE:
                return JsonValue.FALSE;
            case VALUE_NULL:
                return JsonValue.NULL;
            default:
                throw new IllegalStateException("unexpected " + t);
        }
    }

    /** Builds the message a vector describes: KEY, the fields KEY defines, the rest as extensions. */
    static ControlMessage toMessage(JsonValue.Obj o) {
        Map<String, JsonValue> f = new LinkedHashMap<>(o.fields());
        int key = ((JsonValue.Num) f.remove("KEY")).value().intValueExact();
        String own =
                switch (key) {
                    case 2 -> "NAME";
                    case 3 -> "USERS";
                    case 4 -> "REASON";
                    case 6 -> "SESSION";
                    case 7 -> "PORT";
                    default -> null;
                };
        JsonValue v = own == null ? null : f.remove(own);
        Extensions ext = Extensions.of(f);
        switch (key) {
            case 0:
                return new ControlMessage.Ack(ext);
            case 1:
                return new ControlMessage.UnknownError(ext);
            case 2:
                return new ControlMessage.SendNickname(((JsonValue.Str) v).value(), ext);
            case 3: {
                List<String> users = new ArrayList<>();
                for (JsonValue u : ((JsonValue.Arr) v).values()) {
                    users.add(((JsonValue.Str) u).value());
                }
                return new ControlMessage.SendNewUsers(users, ext);
            }
            case 4:
                return new ControlMessage.Disconnect(v instanceof JsonValue.Str s ? s.value() : null, ext);
            case 5:
                return new ControlMessage.ServerClose(ext);
            case 6:
                return new ControlMessage.Session(((JsonValue.Num) v).value().intValueExact(), ext);
            case 7:
                return new ControlMessage.ClientPort(((JsonValue.Num) v).value().intValueExact(), ext);
            default:
                throw new IllegalStateException("unknown KEY " + key);
        }
    }

    /** Decodes a stream fed in the given chunks; fails on any ProtocolException. */
    static List<ControlMessage> decode(ControlDecoder decoder, List<byte[]> chunks) {
        List<ControlMessage> out = new ArrayList<>();
        for (byte[] chunk : chunks) {
            decoder.feed(chunk, 0, chunk.length);
            ControlMessage m;
            while ((m = decoder.next()) != null) {
                out.add(m);
            }
        }
        return out;
    }

    static byte[] concat(List<byte[]> parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] all = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, all, at, p.length);
            at += p.length;
        }
        return all;
    }
}
