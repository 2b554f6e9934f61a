package dev.tip.core.protocol;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.async.ByteArrayFeeder;
import com.fasterxml.jackson.core.base.ParserBase;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import dev.tip.core.protocol.ProtocolException.Kind;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Turns a TCP byte stream into control messages, incrementally: feed it any chunks of the stream
 * (one message across many chunks, many messages in one chunk, any JSON layout), take complete
 * messages out. It never buffers more than {@link ProtocolLimits#maxMessageBytes()} of one
 * message: the bytes of a longer one are not even handed to the JSON parser.
 *
 * <p>Not thread-safe: confined to the thread that reads the connection.
 *
 * <pre>{@code
 * ControlDecoder decoder = new ControlDecoder(ProtocolLimits.DEFAULT);
 * int n;
 * while ((n = in.read(buf)) > 0) {
 *     decoder.feed(buf, 0, n);
 *     ControlMessage m;
 *     while ((m = decoder.next()) != null) {
 *         handle(m);
 *     }
 * }
 * }</pre>
 *
 * <p>{@link #next()} throws {@link ProtocolException} for bad input. If the exception
 * {@linkplain ProtocolException#isRecoverable() is recoverable}, the bad message has been consumed
 * and the caller may call {@code next()} again; otherwise the stream is out of step and every
 * later call throws the same exception.
 */
public final class ControlDecoder {

    /** Shared by every decoder with the default limits: a factory is thread-safe once built. */
    private static final JsonFactory DEFAULT_FACTORY = factoryFor(ProtocolLimits.DEFAULT);

    // field slots known to some KEY
    private static final int NONE = -1;
    private static final int F_NAME = 0;
    private static final int F_USERS = 1;
    private static final int F_REASON = 2;
    private static final int F_SESSION = 3;
    private static final int F_PORT = 4;

    private static final int MODE_ROOT = 0;
    private static final int MODE_FIELDS = 1;
    private static final int MODE_VALUE = 2;
    private static final int MODE_USERS = 3;
    private static final int MODE_GENERIC = 4;
    private static final int MODE_SKIP = 5;

    private final ProtocolLimits limits;
    private final JsonParser parser;
    private final ParserBase offsets;

    private final BoundedInput input;
    private ProtocolException fatal;

    private int mode = MODE_ROOT;
    private int depth;
    private long messageStart;
    private int skipBaseDepth;

    // the message being decoded
    private int key;
    private boolean keySeen;
    private String field;
    private int fieldCount;
    private String name;
    private ArrayList<String> users;
    private boolean usersSeen;
    private String reason;
    private boolean reasonSeen;
    private long session;
    private boolean sessionSeen;
    private long port;
    private boolean portSeen;
    private LinkedHashMap<String, JsonValue> ext;
    private Kind errorKind;
    private String errorDetail;
    private long errorOffset;
    private String errorField;

    // generic value under construction
    private final Object[] stack;
    private final String[] stackNames;
    private int stackSize;
    private String genericField;

    /** Creates a decoder with the default limits. */
    public ControlDecoder() {
        this(ProtocolLimits.DEFAULT);
    }

    /**
     * Creates a decoder.
     *
     * @param limits what one peer may make the decoder hold
     */
    public ControlDecoder(ProtocolLimits limits) {
        this.limits = Objects.requireNonNull(limits, "limits");
        JsonFactory factory = limits.equals(ProtocolLimits.DEFAULT) ? DEFAULT_FACTORY : factoryFor(limits);
        try {
            this.parser = factory.createNonBlockingByteArrayParser();
        } catch (IOException e) {
            throw new IllegalStateException("jackson-core cannot create a non-blocking parser", e);
        }
        this.offsets = (ParserBase) parser;
        this.input = new BoundedInput((ByteArrayFeeder) parser.getNonBlockingInputFeeder());
        this.stack = new Object[limits.maxNesting() + 1];
        this.stackNames = new String[limits.maxNesting() + 1];
    }

    private static JsonFactory factoryFor(ProtocolLimits limits) {
        return new JsonFactory()
                .rebuild()
                .streamReadConstraints(StreamReadConstraints.builder()
                        // our own checks fire first and name our limits; these are the backstop
                        .maxNestingDepth(limits.maxNesting() + 1)
                        .maxStringLength(Math.max(limits.maxStringChars(), limits.maxMessageBytes()) + 1)
                        .maxNameLength(Math.max(limits.maxStringChars(), limits.maxMessageBytes()) + 1)
                        .maxNumberLength(1000)
                        .build())
                .build();
    }

    /**
     * Returns the limits this decoder enforces.
     *
     * @return the limits
     */
    public ProtocolLimits limits() {
        return limits;
    }

    /**
     * Tells whether all fed bytes have been consumed, so that {@link #feed} may be called.
     *
     * @return true if the decoder wants more input
     */
    public boolean needsInput() {
        return input.needsInput();
    }

    /**
     * Hands the decoder the next bytes of the stream. The decoder reads them from {@code buf}
     * without copying, until {@link #next()} returns null: do not change them before that.
     *
     * @param buf the bytes
     * @param off where they start
     * @param len how many
     * @throws IllegalStateException if earlier input has not been consumed, or after
     *     {@link #endOfInput()}
     */
    public void feed(byte[] buf, int off, int len) {
        input.feed(buf, off, len);
    }

    /**
     * Tells the decoder that the stream has ended. {@link #next()} then returns what is left and
     * reports a message cut off by the end as malformed.
     */
    public void endOfInput() {
        input.endOfInput();
    }

    /**
     * Returns the number of bytes handed to the JSON parser so far: the stream offset up to
     * which input has been consumed.
     *
     * @return the byte offset
     */
    public long position() {
        return input.fed();
    }

    /**
     * Returns the next complete message, or null when more input is needed (or the stream ended).
     *
     * @return a message, or null
     * @throws ProtocolException for bad input; see the class description for recovery
     */
    public ControlMessage next() {
        if (fatal != null) {
            throw fatal;
        }
        try {
            while (true) {
                JsonToken t = parser.nextToken();
                if (t == JsonToken.NOT_AVAILABLE) {
                    if (!feedSlice()) {
                        return null;
                    }
                    continue;
                }
                if (t == null) {
                    if (depth > 0) {
                        throw fail(Kind.MALFORMED_JSON, "stream ended inside a message", input.fed());
                    }
                    return null;
                }
                ControlMessage m = onToken(t);
                if (m != null) {
                    return m;
                }
            }
        } catch (ProtocolException e) {
            if (!e.isRecoverable()) {
                fatal = e;
            }
            throw e;
        } catch (StreamConstraintsException e) {
            String msg = String.valueOf(e.getOriginalMessage());
            Kind kind = msg.contains("nesting")
                    ? Kind.NESTING_TOO_DEEP
                    : msg.contains("String") || msg.contains("Name") ? Kind.STRING_TOO_LONG : Kind.MALFORMED_JSON;
            throw fatal = fail(kind, msg, location());
        } catch (JsonParseException e) {
            String msg = String.valueOf(e.getOriginalMessage());
            Kind kind = msg.contains("UTF-8") || msg.contains("UTF8") ? Kind.INVALID_UTF8 : Kind.MALFORMED_JSON;
            if (input.ended() && depth > 0) {
                msg = "stream ended inside a message (" + msg + ")";
            }
            throw fatal = fail(kind, msg, location());
        } catch (IOException e) {
            throw fatal = fail(Kind.MALFORMED_JSON, String.valueOf(e.getMessage()), location());
        }
    }

    /**
     * The stream offset of the current token's first byte. Jackson's non-blocking parser reports
     * one past it for every token but END_OBJECT and END_ARRAY (seen in jackson-core 2.22).
     */
    private long tokenOffset() {
        long at = offsets.getTokenCharacterOffset();
        JsonToken t = parser.currentToken();
        return t == JsonToken.END_OBJECT || t == JsonToken.END_ARRAY ? at : Math.max(0, at - 1);
    }

    private long location() {
        return parser.currentLocation().getByteOffset();
    }

    /** Feeds the parser the next slice of input that the message size limit allows. */
    private boolean feedSlice() throws IOException {
        long allowed = depth > 0 ? messageStart + limits.maxMessageBytes() - input.fed() : limits.maxMessageBytes();
        switch (input.feedSlice(allowed)) {
            case BoundedInput.FED:
                return true;
            case BoundedInput.NEEDS_INPUT:
                return false;
            case BoundedInput.INVALID_UTF8:
                throw fail(Kind.INVALID_UTF8, "invalid UTF-8 byte sequence", input.invalidUtf8At());
            default:
                throw fail(
                        Kind.MESSAGE_TOO_LONG,
                        "message longer than the limit maxMessageBytes=" + limits.maxMessageBytes(),
                        messageStart);
        }
    }

    private ControlMessage onToken(JsonToken t) throws IOException {
        switch (t) {
            case START_OBJECT, START_ARRAY -> {
                if (++depth > limits.maxNesting()) {
                    throw fail(
                            Kind.NESTING_TOO_DEEP,
                            "nesting deeper than the limit maxNesting=" + limits.maxNesting(),
                            tokenOffset());
                }
            }
            case END_OBJECT, END_ARRAY -> depth--;
            default -> {}
        }
        switch (mode) {
            case MODE_ROOT -> {
                if (t == JsonToken.START_OBJECT) {
                    startMessage();
                } else if (t == JsonToken.START_ARRAY) {
                    skipThenReturnTo(MODE_ROOT, 0);
                    errorAt(Kind.NOT_AN_OBJECT, "a message must be a JSON object, found an array", null);
                } else {
                    checkString(t);
                    throw fail(
                            Kind.NOT_AN_OBJECT, "a message must be a JSON object, found " + describe(t), tokenOffset());
                }
            }
            case MODE_FIELDS -> {
                if (t == JsonToken.END_OBJECT) {
                    return endMessage();
                }
                if (t != JsonToken.FIELD_NAME) {
                    throw fail(Kind.MALFORMED_JSON, "expected a field name, found " + describe(t), tokenOffset());
                }
                field = parser.currentName();
                checkLength(field);
                if (++fieldCount > limits.maxFields()) {
                    errorAt(
                            Kind.TOO_MANY_ELEMENTS,
                            "more fields than the limit maxFields=" + limits.maxFields(),
                            field);
                }
                mode = MODE_VALUE;
            }
            case MODE_VALUE -> {
                if (t == JsonToken.END_OBJECT || t == JsonToken.END_ARRAY) {
                    // jackson-core 2.22's non-blocking parser lets "{"KEY": }" through when the
                    // whitespace before the brace arrives in its own chunk
                    throw fail(Kind.MALFORMED_JSON, "field " + field + " has no value", tokenOffset());
                }
                onFieldValue(t);
            }
            case MODE_USERS -> {
                if (t == JsonToken.END_ARRAY) {
                    mode = MODE_FIELDS;
                } else if (t == JsonToken.VALUE_STRING) {
                    String user = parser.getText();
                    checkLength(user);
                    if (users.size() >= limits.maxUsers()) {
                        errorAt(
                                Kind.TOO_MANY_ELEMENTS,
                                "more users than the limit maxUsers=" + limits.maxUsers(),
                                "USERS");
                    } else {
                        users.add(user);
                    }
                } else {
                    errorAt(Kind.WRONG_TYPE, "USERS must hold strings, found " + describe(t), "USERS");
                    if (t == JsonToken.START_ARRAY || t == JsonToken.START_OBJECT) {
                        skipThenReturnTo(MODE_USERS, depth - 1);
                    }
                }
            }
            case MODE_GENERIC -> onGenericToken(t);
            case MODE_SKIP -> {
                checkString(t);
                if (depth == skipBaseDepth) {
                    mode = skipReturnMode;
                    if (mode == MODE_ROOT) {
                        throwPendingError();
                    }
                }
            }
            default -> throw new IllegalStateException("mode " + mode);
        }
        return null;
    }

    private int skipReturnMode = MODE_ROOT;

    private void skipThenReturnTo(int returnMode, int baseDepth) {
        mode = MODE_SKIP;
        skipReturnMode = returnMode;
        skipBaseDepth = baseDepth;
    }

    private void startMessage() {
        mode = MODE_FIELDS;
        messageStart = tokenOffset();
        keySeen = false;
        key = -1;
        field = null;
        fieldCount = 0;
        name = null;
        users = null;
        usersSeen = false;
        reason = null;
        reasonSeen = false;
        sessionSeen = false;
        portSeen = false;
        ext = null;
        errorKind = null;
        skipReturnMode = MODE_ROOT;
    }

    /** Which typed slot a field fills for a KEY, or NONE if the KEY does not define it. */
    private static int slot(int key, String field) {
        switch (key) {
            case ControlMessage.KEY_SEND_NICKNAME:
                return "NAME".equals(field) ? F_NAME : NONE;
            case ControlMessage.KEY_SEND_NEW_USERS:
                return "USERS".equals(field) ? F_USERS : NONE;
            case ControlMessage.KEY_DISCONNECT:
                return "REASON".equals(field) ? F_REASON : NONE;
            case ControlMessage.KEY_SESSION:
                return "SESSION".equals(field) ? F_SESSION : NONE;
            case ControlMessage.KEY_CLIENT_PORT:
                return "PORT".equals(field) ? F_PORT : NONE;
            default:
                return NONE;
        }
    }

    private void onFieldValue(JsonToken t) throws IOException {
        mode = MODE_FIELDS;
        String f = field;
        if ("KEY".equals(f)) {
            if (keySeen) {
                errorAt(Kind.DUPLICATE_FIELD, "KEY appears twice", f);
            }
            keySeen = true;
            if (t == JsonToken.VALUE_NUMBER_INT) {
                if (parser.getNumberType() == JsonParser.NumberType.INT) {
                    key = parser.getIntValue();
                    // fields that came before KEY were kept generically; endMessage() sorts them out
                } else {
                    key = Integer.MAX_VALUE;
                }
            } else {
                errorAt(Kind.WRONG_TYPE, "KEY must be an integer, found " + describe(t), f);
                skipValue(t);
            }
            return;
        }
        int slot = keySeen ? slot(key, f) : NONE;
        if (slot == NONE) {
            startGeneric(t, f);
            return;
        }
        switch (slot) {
            case F_NAME -> {
                if (name != null) {
                    errorAt(Kind.DUPLICATE_FIELD, "NAME appears twice", f);
                }
                if (t == JsonToken.VALUE_STRING) {
                    name = parser.getText();
                    checkLength(name);
                } else {
                    errorAt(Kind.WRONG_TYPE, "NAME must be a string, found " + describe(t), f);
                    skipValue(t);
                }
            }
            case F_USERS -> {
                if (usersSeen) {
                    errorAt(Kind.DUPLICATE_FIELD, "USERS appears twice", f);
                }
                usersSeen = true;
                if (t == JsonToken.START_ARRAY) {
                    users = new ArrayList<>();
                    mode = MODE_USERS;
                } else {
                    errorAt(Kind.WRONG_TYPE, "USERS must be an array of strings, found " + describe(t), f);
                    skipValue(t);
                }
            }
            case F_REASON -> {
                if (reasonSeen) {
                    errorAt(Kind.DUPLICATE_FIELD, "REASON appears twice", f);
                }
                reasonSeen = true;
                if (t == JsonToken.VALUE_STRING) {
                    reason = parser.getText();
                    checkLength(reason);
                } else if (t != JsonToken.VALUE_NULL) {
                    errorAt(Kind.WRONG_TYPE, "REASON must be a string or null, found " + describe(t), f);
                    skipValue(t);
                }
            }
            case F_SESSION -> {
                if (sessionSeen) {
                    errorAt(Kind.DUPLICATE_FIELD, "SESSION appears twice", f);
                }
                sessionSeen = true;
                session = intField(t, f);
                if (session != Long.MIN_VALUE && (session < 0 || session > Integer.MAX_VALUE)) {
                    errorAt(Kind.OUT_OF_RANGE, "SESSION must be 0.." + Integer.MAX_VALUE + ", was " + session, f);
                }
            }
            case F_PORT -> {
                if (portSeen) {
                    errorAt(Kind.DUPLICATE_FIELD, "PORT appears twice", f);
                }
                portSeen = true;
                port = intField(t, f);
                if (port != Long.MIN_VALUE && (port < 1 || port > ControlMessage.MAX_PORT)) {
                    errorAt(Kind.OUT_OF_RANGE, "PORT must be 1..65535, was " + port, f);
                }
            }
            default -> throw new IllegalStateException("slot " + slot);
        }
    }

    /** Reads an integer field; Long.MIN_VALUE when it is not one (the error is recorded). */
    private long intField(JsonToken t, String f) throws IOException {
        if (t == JsonToken.VALUE_NUMBER_INT) {
            JsonParser.NumberType nt = parser.getNumberType();
            if (nt == JsonParser.NumberType.BIG_INTEGER) {
                errorAt(Kind.OUT_OF_RANGE, f + " is out of range: " + parser.getText(), f);
                return Long.MIN_VALUE;
            }
            return parser.getLongValue();
        }
        errorAt(Kind.WRONG_TYPE, f + " must be an integer, found " + describe(t), f);
        skipValue(t);
        return Long.MIN_VALUE;
    }

    private void skipValue(JsonToken t) {
        if (t == JsonToken.START_ARRAY || t == JsonToken.START_OBJECT) {
            skipThenReturnTo(MODE_FIELDS, depth - 1);
        }
    }

    // ---- generic values (extension fields, and fields seen before KEY) ----

    private void startGeneric(JsonToken t, String f) throws IOException {
        if (t == JsonToken.START_ARRAY || t == JsonToken.START_OBJECT) {
            genericField = f;
            stackSize = 0;
            push(t);
            mode = MODE_GENERIC;
        } else {
            putExtension(f, scalar(t));
        }
    }

    private void push(JsonToken t) {
        stack[stackSize] =
                t == JsonToken.START_ARRAY ? new ArrayList<JsonValue>() : new LinkedHashMap<String, JsonValue>();
        stackNames[stackSize] = null;
        stackSize++;
    }

    @SuppressWarnings("unchecked")
    private void onGenericToken(JsonToken t) throws IOException {
        Object top = stack[stackSize - 1];
        if (t == JsonToken.FIELD_NAME) {
            String n = parser.currentName();
            checkLength(n);
            if (((Map<String, JsonValue>) top).size() >= limits.maxFields()) {
                errorAt(
                        Kind.TOO_MANY_ELEMENTS,
                        "more fields than the limit maxFields=" + limits.maxFields(),
                        genericField);
            }
            stackNames[stackSize - 1] = n;
            return;
        }
        JsonValue value;
        if (t == JsonToken.START_ARRAY || t == JsonToken.START_OBJECT) {
            push(t);
            return;
        } else if (t == JsonToken.END_ARRAY) {
            value = new JsonValue.Arr((List<JsonValue>) top);
            stackSize--;
        } else if (t == JsonToken.END_OBJECT) {
            value = new JsonValue.Obj((Map<String, JsonValue>) top);
            stackSize--;
        } else {
            value = scalar(t);
        }
        if (stackSize == 0) {
            putExtension(genericField, value);
            mode = MODE_FIELDS;
            return;
        }
        Object parent = stack[stackSize - 1];
        if (parent instanceof ArrayList<?> list) {
            if (list.size() >= Math.max(limits.maxUsers(), limits.maxFields())) {
                errorAt(Kind.TOO_MANY_ELEMENTS, "array longer than the limits allow", genericField);
                return;
            }
            ((ArrayList<JsonValue>) list).add(value);
        } else {
            Map<String, JsonValue> map = (Map<String, JsonValue>) parent;
            String n = stackNames[stackSize - 1];
            if (map.containsKey(n)) {
                errorAt(Kind.DUPLICATE_FIELD, "field " + n + " appears twice", genericField);
            }
            map.put(n, value);
        }
    }

    private JsonValue scalar(JsonToken t) throws IOException {
        switch (t) {
            case VALUE_STRING -> {
                String s = parser.getText();
                checkLength(s);
                return new JsonValue.Str(s);
            }
            case VALUE_NUMBER_INT -> {
                return new JsonValue.Num(
                        parser.getNumberType() == JsonParser.NumberType.BIG_INTEGER
                                ? new BigDecimal(parser.getBigIntegerValue())
                                : BigDecimal.valueOf(parser.getLongValue()));
            }
            case VALUE_NUMBER_FLOAT -> {
                try {
                    return new JsonValue.Num(parser.getDecimalValue());
                } catch (NumberFormatException e) {
                    // an exponent beyond what BigDecimal holds, such as 1E9999999999
                    errorAt(Kind.OUT_OF_RANGE, "number out of range: " + parser.getText(), genericFieldOrField());
                    return JsonValue.NULL;
                }
            }
            case VALUE_TRUE -> {
                return JsonValue.TRUE;
            }
            case VALUE_FALSE -> {
                return JsonValue.FALSE;
            }
            case VALUE_NULL -> {
                return JsonValue.NULL;
            }
            default -> throw new IllegalStateException("not a scalar: " + t);
        }
    }

    private String genericFieldOrField() {
        return mode == MODE_GENERIC ? genericField : field;
    }

    private void putExtension(String f, JsonValue value) {
        if (ext == null) {
            ext = new LinkedHashMap<>();
        } else if (ext.containsKey(f)) {
            errorAt(Kind.DUPLICATE_FIELD, f + " appears twice", f);
        }
        ext.put(f, value);
    }

    // ---- end of a message ----

    private ControlMessage endMessage() {
        mode = MODE_ROOT;
        long end = messageStart;
        if (!keySeen && errorKind == null) {
            errorKind = Kind.MISSING_KEY;
            errorDetail = "a message must have an integer KEY";
            errorOffset = end;
            errorField = null;
        }
        throwPendingError();
        if (key < ControlMessage.KEY_ACK || key > ControlMessage.KEY_CLIENT_PORT) {
            throw new ProtocolException(
                    Kind.UNKNOWN_KEY,
                    "KEY " + (key == Integer.MAX_VALUE ? "(out of int range)" : key) + " is not known to this version",
                    end,
                    key == Integer.MAX_VALUE ? ProtocolException.NO_KEY : key,
                    "KEY");
        }
        if (ext != null) {
            resolveLateFields();
        }
        Extensions extensions = ext == null ? Extensions.NONE : Extensions.of(ext);
        ext = null;
        switch (key) {
            case ControlMessage.KEY_ACK:
                return new ControlMessage.Ack(extensions);
            case ControlMessage.KEY_UNKNOWN_ERROR:
                return new ControlMessage.UnknownError(extensions);
            case ControlMessage.KEY_SEND_NICKNAME:
                if (name == null) {
                    throw missing("NAME");
                }
                return new ControlMessage.SendNickname(name, extensions);
            case ControlMessage.KEY_SEND_NEW_USERS:
                if (users == null) {
                    throw missing("USERS");
                }
                return new ControlMessage.SendNewUsers(users, extensions);
            case ControlMessage.KEY_DISCONNECT:
                return new ControlMessage.Disconnect(reason, extensions);
            case ControlMessage.KEY_SERVER_CLOSE:
                return new ControlMessage.ServerClose(extensions);
            case ControlMessage.KEY_SESSION:
                if (!sessionSeen) {
                    throw missing("SESSION");
                }
                return new ControlMessage.Session((int) session, extensions);
            default:
                if (!portSeen) {
                    throw missing("PORT");
                }
                return new ControlMessage.ClientPort((int) port, extensions);
        }
    }

    /** Moves the fields that came before KEY, kept generically, into their typed slots. */
    private void resolveLateFields() {
        String f =
                switch (key) {
                    case ControlMessage.KEY_SEND_NICKNAME -> "NAME";
                    case ControlMessage.KEY_SEND_NEW_USERS -> "USERS";
                    case ControlMessage.KEY_DISCONNECT -> "REASON";
                    case ControlMessage.KEY_SESSION -> "SESSION";
                    case ControlMessage.KEY_CLIENT_PORT -> "PORT";
                    default -> null;
                };
        if (f == null || !ext.containsKey(f)) {
            return;
        }
        JsonValue v = ext.remove(f);
        long at = messageStart;
        switch (key) {
            case ControlMessage.KEY_SEND_NICKNAME -> {
                if (!(v instanceof JsonValue.Str s)) {
                    throw new ProtocolException(Kind.WRONG_TYPE, "NAME must be a string, found " + v, at, key, f);
                }
                name = s.value();
            }
            case ControlMessage.KEY_SEND_NEW_USERS -> {
                if (!(v instanceof JsonValue.Arr a)) {
                    throw new ProtocolException(
                            Kind.WRONG_TYPE, "USERS must be an array of strings, found " + v, at, key, f);
                }
                users = new ArrayList<>();
                for (JsonValue e : a.values()) {
                    if (!(e instanceof JsonValue.Str s)) {
                        throw new ProtocolException(Kind.WRONG_TYPE, "USERS must hold strings, found " + e, at, key, f);
                    }
                    if (users.size() >= limits.maxUsers()) {
                        throw new ProtocolException(
                                Kind.TOO_MANY_ELEMENTS,
                                "more users than the limit maxUsers=" + limits.maxUsers(),
                                at,
                                key,
                                f);
                    }
                    users.add(s.value());
                }
            }
            case ControlMessage.KEY_DISCONNECT -> {
                if (v instanceof JsonValue.Str s) {
                    reason = s.value();
                } else if (!(v instanceof JsonValue.Null)) {
                    throw new ProtocolException(
                            Kind.WRONG_TYPE, "REASON must be a string or null, found " + v, at, key, f);
                }
            }
            default -> {
                long n = lateInt(v, f, at);
                if (key == ControlMessage.KEY_SESSION) {
                    if (n < 0 || n > Integer.MAX_VALUE) {
                        throw new ProtocolException(
                                Kind.OUT_OF_RANGE,
                                "SESSION must be 0.." + Integer.MAX_VALUE + ", was " + n,
                                at,
                                key,
                                f);
                    }
                    session = n;
                    sessionSeen = true;
                } else {
                    if (n < 1 || n > ControlMessage.MAX_PORT) {
                        throw new ProtocolException(Kind.OUT_OF_RANGE, "PORT must be 1..65535, was " + n, at, key, f);
                    }
                    port = n;
                    portSeen = true;
                }
            }
        }
    }

    private long lateInt(JsonValue v, String f, long at) {
        if (v instanceof JsonValue.Num n) {
            BigDecimal d = n.value();
            // digits before the point: checked first, so that 1E999999999 is never expanded
            if (d.signum() != 0 && d.precision() - d.scale() > 19) {
                throw new ProtocolException(Kind.OUT_OF_RANGE, f + " is out of range: " + d, at, key, f);
            }
            // an integer token has scale 0; 5253.0 and 5E3 are numbers with a fraction or exponent,
            // rejected here as in the typed path
            if (d.scale() == 0) {
                BigInteger i = d.toBigInteger();
                if (i.bitLength() < 63) {
                    return i.longValue();
                }
                throw new ProtocolException(Kind.OUT_OF_RANGE, f + " is out of range: " + d, at, key, f);
            }
        }
        throw new ProtocolException(Kind.WRONG_TYPE, f + " must be an integer, found " + v, at, key, f);
    }

    private ProtocolException missing(String f) {
        return new ProtocolException(Kind.MISSING_FIELD, "KEY " + key + " requires " + f, messageStart, key, f);
    }

    private void throwPendingError() {
        if (errorKind != null) {
            Kind k = errorKind;
            errorKind = null;
            ext = null;
            throw new ProtocolException(
                    k,
                    errorDetail,
                    errorOffset,
                    keySeen && key != Integer.MAX_VALUE ? key : ProtocolException.NO_KEY,
                    errorField);
        }
    }

    /** Records the first recoverable error of this message; it is thrown once the message is consumed. */
    private void errorAt(Kind kind, String detail, String f) {
        if (errorKind == null) {
            errorKind = kind;
            errorDetail = detail;
            errorOffset = tokenOffset();
            errorField = f;
        }
    }

    private void checkString(JsonToken t) throws IOException {
        if (t == JsonToken.VALUE_STRING) {
            checkLength(parser.getText());
        }
    }

    private void checkLength(String s) {
        if (s.length() > limits.maxStringChars()) {
            throw fail(
                    Kind.STRING_TOO_LONG,
                    "string longer than the limit maxStringChars=" + limits.maxStringChars(),
                    tokenOffset());
        }
    }

    private ProtocolException fail(Kind kind, String detail, long offset) {
        return new ProtocolException(
                kind,
                detail,
                offset,
                depth > 0 && keySeen && key != Integer.MAX_VALUE ? key : ProtocolException.NO_KEY,
                depth > 0 ? field : null);
    }

    private static String describe(JsonToken t) {
        return switch (t) {
            case VALUE_STRING -> "a string";
            case VALUE_NUMBER_INT -> "an integer";
            case VALUE_NUMBER_FLOAT -> "a number with a fraction";
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            case VALUE_NULL -> "null";
            case START_ARRAY -> "an array";
            case START_OBJECT -> "an object";
            default -> t.toString();
        };
    }
}
