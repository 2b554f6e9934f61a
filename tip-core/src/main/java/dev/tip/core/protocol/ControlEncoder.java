package dev.tip.core.protocol;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.PrettyPrinter;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Writes control messages as the bytes the original Python peers write ({@code json.dumps} with
 * its defaults): {@code {"KEY": 2, "NAME": "John"}}, separators {@code ", "} and {@code ": "},
 * ASCII only with lowercase {@code &#92;uXXXX} escapes (surrogate pairs beyond the BMP), short escapes
 * for {@code " \ \b \f \n \r \t}, and {@code "REASON": null} for a DISCONNECT without reason.
 * In addition it escapes {@code {} and {@code }} inside strings as {@code &#92;u007b} and
 * {@code &#92;u007d}, so that an original peer's split at {@code }{} never cuts a message.
 * Extension fields follow the message's own fields, in their order.
 *
 * <p>Not thread-safe: one encoder per thread (it reuses one generator and one buffer).
 *
 * <pre>{@code
 * byte[] bytes = new ControlEncoder().encode(new ControlMessage.SendNickname("John"));
 * // {"KEY": 2, "NAME": "John"}
 * }</pre>
 */
public final class ControlEncoder {

    private static final SerializableString F_KEY = new SerializedString("KEY");
    private static final SerializableString F_NAME = new SerializedString("NAME");
    private static final SerializableString F_USERS = new SerializedString("USERS");
    private static final SerializableString F_REASON = new SerializedString("REASON");
    private static final SerializableString F_SESSION = new SerializedString("SESSION");
    private static final SerializableString F_PORT = new SerializedString("PORT");

    private static final JsonFactory FACTORY = new JsonFactoryBuilder()
            .enable(JsonWriteFeature.ESCAPE_NON_ASCII)
            .disable(JsonWriteFeature.WRITE_HEX_UPPER_CASE)
            .disable(StreamWriteFeature.AUTO_CLOSE_TARGET)
            .disable(StreamWriteFeature.FLUSH_PASSED_TO_STREAM)
            .characterEscapes(new OriginalEscapes())
            .build();

    private final Buffer out = new Buffer();
    private final JsonGenerator gen;

    /** Creates an encoder. */
    public ControlEncoder() {
        try {
            gen = FACTORY.createGenerator(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        gen.setPrettyPrinter(PythonSeparators.INSTANCE);
    }

    /**
     * Encodes one message into a new array.
     *
     * @param message the message
     * @return its bytes on the wire
     */
    public byte[] encode(ControlMessage message) {
        write(message);
        return Arrays.copyOf(out.bytes, out.size);
    }

    /**
     * Encodes one message into {@code dst}, from its position; the position advances past it.
     *
     * @param message the message
     * @param dst where the bytes go
     * @return the number of bytes written
     * @throws BufferOverflowException if {@code dst} has too little room (nothing is written)
     */
    public int encode(ControlMessage message, ByteBuffer dst) {
        write(message);
        if (dst.remaining() < out.size) {
            throw new BufferOverflowException();
        }
        dst.put(out.bytes, 0, out.size);
        return out.size;
    }

    private void write(ControlMessage message) {
        out.size = 0;
        try {
            JsonGenerator g = gen;
            g.writeStartObject();
            g.writeFieldName(F_KEY);
            g.writeNumber(message.key());
            if (message instanceof ControlMessage.SendNickname m) {
                g.writeFieldName(F_NAME);
                g.writeString(m.name());
            } else if (message instanceof ControlMessage.SendNewUsers m) {
                g.writeFieldName(F_USERS);
                List<String> users = m.users();
                g.writeStartArray(users, users.size());
                for (int i = 0, n = users.size(); i < n; i++) {
                    g.writeString(users.get(i));
                }
                g.writeEndArray();
            } else if (message instanceof ControlMessage.Disconnect m) {
                g.writeFieldName(F_REASON);
                if (m.reason() == null) {
                    g.writeNull();
                } else {
                    g.writeString(m.reason());
                }
            } else if (message instanceof ControlMessage.Session m) {
                g.writeFieldName(F_SESSION);
                g.writeNumber(m.session());
            } else if (message instanceof ControlMessage.ClientPort m) {
                g.writeFieldName(F_PORT);
                g.writeNumber(m.port());
            }
            // ACK, UNKNOWN_ERROR and SERVER_CLOSE carry only KEY
            Extensions ext = message.extensions();
            if (!ext.isEmpty()) {
                for (Map.Entry<String, JsonValue> e : ext.fields().entrySet()) {
                    g.writeFieldName(e.getKey());
                    writeValue(g, e.getValue());
                }
            }
            g.writeEndObject();
            g.flush();
        } catch (IOException e) {
            // the target is an in-memory buffer: this cannot happen
            throw new UncheckedIOException(e);
        }
    }

    private static void writeValue(JsonGenerator g, JsonValue v) throws IOException {
        if (v instanceof JsonValue.Null) {
            g.writeNull();
        } else if (v instanceof JsonValue.Bool b) {
            g.writeBoolean(b.value());
        } else if (v instanceof JsonValue.Num n) {
            g.writeNumber(n.value());
        } else if (v instanceof JsonValue.Str s) {
            g.writeString(s.value());
        } else if (v instanceof JsonValue.Arr a) {
            g.writeStartArray();
            for (JsonValue e : a.values()) {
                writeValue(g, e);
            }
            g.writeEndArray();
        } else {
            JsonValue.Obj o = (JsonValue.Obj) v;
            g.writeStartObject();
            for (Map.Entry<String, JsonValue> e : o.fields().entrySet()) {
                g.writeFieldName(e.getKey());
                writeValue(g, e.getValue());
            }
            g.writeEndObject();
        }
    }

    /** A growable byte array the generator flushes into; reused for every message. */
    private static final class Buffer extends OutputStream {
        byte[] bytes = new byte[1024];
        int size;

        @Override
        public void write(int b) {
            ensure(1);
            bytes[size++] = (byte) b;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            ensure(len);
            System.arraycopy(b, off, bytes, size, len);
            size += len;
        }

        private void ensure(int more) {
            if (size + more > bytes.length) {
                bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + more));
            }
        }
    }

    /**
     * Python's {@code json.dumps} layout: {@code ", "} between entries, {@code ": "} after a name,
     * nothing else, and nothing between root values (messages go back to back).
     */
    private static final class PythonSeparators implements PrettyPrinter {
        static final PythonSeparators INSTANCE = new PythonSeparators();
        // pre-encoded: the generator copies their bytes without converting characters
        private static final SerializableString ENTRY = new SerializedString(", ");
        private static final SerializableString NAME_VALUE = new SerializedString(": ");

        @Override
        public void writeRootValueSeparator(JsonGenerator g) {}

        @Override
        public void writeStartObject(JsonGenerator g) throws IOException {
            g.writeRaw('{');
        }

        @Override
        public void writeEndObject(JsonGenerator g, int nrOfEntries) throws IOException {
            g.writeRaw('}');
        }

        @Override
        public void writeObjectEntrySeparator(JsonGenerator g) throws IOException {
            g.writeRaw(ENTRY);
        }

        @Override
        public void writeObjectFieldValueSeparator(JsonGenerator g) throws IOException {
            g.writeRaw(NAME_VALUE);
        }

        @Override
        public void writeStartArray(JsonGenerator g) throws IOException {
            g.writeRaw('[');
        }

        @Override
        public void writeEndArray(JsonGenerator g, int nrOfValues) throws IOException {
            g.writeRaw(']');
        }

        @Override
        public void writeArrayValueSeparator(JsonGenerator g) throws IOException {
            g.writeRaw(ENTRY);
        }

        @Override
        public void beforeArrayValues(JsonGenerator g) {}

        @Override
        public void beforeObjectEntries(JsonGenerator g) {}
    }

    /**
     * JSON's standard escapes plus those Python's {@code ensure_ascii} adds: DEL (0x7f) and, for the
     * original peers' {@code }{} splitting, the braces.
     */
    private static final class OriginalEscapes extends CharacterEscapes {
        private static final long serialVersionUID = 1L;
        private final int[] ascii;

        OriginalEscapes() {
            int[] codes = standardAsciiEscapesForJSON();
            codes['{'] = ESCAPE_STANDARD;
            codes['}'] = ESCAPE_STANDARD;
            codes[0x7f] = ESCAPE_STANDARD;
            ascii = codes;
        }

        @Override
        public int[] getEscapeCodesForAscii() {
            return ascii;
        }

        @Override
        public SerializableString getEscapeSequence(int ch) {
            return null;
        }
    }
}
