package dev.tip.core.protocol;

import dev.tip.core.protocol.ProtocolException.Kind;
import java.io.IOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;

/**
 * Binds the fields of one control message to a {@link ControlMessage}, validating each value
 * once against a per-KEY table ({@link Field}): which field the KEY defines, of what type, in
 * what range, and whether it is required. A field the KEY does not define is an extension.
 *
 * <p>The {@link TokenMachine} hands a field's value over as a {@link FieldValue}: straight from the
 * parser when the KEY is already known, or, for a field that came before the KEY (and had to be
 * kept as a {@link JsonValue}), as that tree once the message is complete. Both go through the
 * same {@link #bind} and {@link #element} rules; only where an error is reported differs (at the
 * value, or at the message for a late field). The first recoverable error of a message is kept
 * and thrown when the message is complete, so that the stream stays in step.
 *
 * <p>Package-private (see {@link Utf8Validator} for why). Not thread-safe: one per decoder.
 */
final class MessageBinder {

    /** What one field's value must be. */
    private enum Type {
        STRING("a string"),
        STRING_OR_NULL("a string or null"),
        STRING_ARRAY("an array of strings"),
        INTEGER("an integer");

        final String expected;

        Type(String expected) {
            this.expected = expected;
        }
    }

    /** The fields that a KEY defines, and their rules. */
    enum Field {
        NAME(Type.STRING, true, 0, 0),
        USERS(Type.STRING_ARRAY, true, 0, 0),
        REASON(Type.STRING_OR_NULL, false, 0, 0),
        SESSION(Type.INTEGER, true, 0, Integer.MAX_VALUE),
        PORT(Type.INTEGER, true, 1, ControlMessage.MAX_PORT);

        private final Type type;
        private final boolean required;
        private final long min;
        private final long max;

        Field(Type type, boolean required, long min, long max) {
            this.type = type;
            this.required = required;
            this.min = min;
            this.max = max;
        }
    }

    /** The per-KEY table: the field each KEY defines (at most one), or null. */
    private static final Field[] FIELD_OF_KEY = new Field[ControlMessage.KEY_CLIENT_PORT + 1];

    static {
        FIELD_OF_KEY[ControlMessage.KEY_SEND_NICKNAME] = Field.NAME;
        FIELD_OF_KEY[ControlMessage.KEY_SEND_NEW_USERS] = Field.USERS;
        FIELD_OF_KEY[ControlMessage.KEY_DISCONNECT] = Field.REASON;
        FIELD_OF_KEY[ControlMessage.KEY_SESSION] = Field.SESSION;
        FIELD_OF_KEY[ControlMessage.KEY_CLIENT_PORT] = Field.PORT;
    }

    private final ProtocolLimits limits;
    private final LateValue late = new LateValue();

    private long messageStart;
    // KEY is Integer.MAX_VALUE when it was an integer out of int range
    private int key;
    private boolean keySeen;
    // the one typed field a KEY defines: its value in one of these, by type
    private boolean fieldSeen;
    private String text;
    private ArrayList<String> list;
    private long number;
    private LinkedHashMap<String, JsonValue> ext;
    // the first recoverable error of the message
    private Kind errorKind;
    private String errorDetail;
    private long errorOffset;
    private String errorField;

    MessageBinder(ProtocolLimits limits) {
        this.limits = limits;
    }

    /**
     * Returns the field that a KEY defines under this name, or null for an extension.
     *
     * @param key the message's KEY
     * @param name the field's name
     * @return the field, or null
     */
    static Field fieldOf(int key, String name) {
        if (key < 0 || key >= FIELD_OF_KEY.length) {
            return null;
        }
        Field f = FIELD_OF_KEY[key];
        return f != null && f.name().equals(name) ? f : null;
    }

    /** Starts a message at this stream offset. */
    void start(long offset) {
        messageStart = offset;
        keySeen = false;
        key = -1;
        fieldSeen = false;
        text = null;
        list = null;
        ext = null;
        errorKind = null;
    }

    /** Returns the field that the KEY read so far defines under this name, or null. */
    Field fieldNamed(String name) {
        return keySeen ? fieldOf(key, name) : null;
    }

    /** Returns the KEY to name in an error: {@link ProtocolException#NO_KEY} if not known. */
    int reportedKey() {
        return keySeen && key != Integer.MAX_VALUE ? key : ProtocolException.NO_KEY;
    }

    /** Reads the KEY field; anything but an integer is refused. */
    void key(FieldValue v) throws IOException {
        if (keySeen) {
            error(Kind.DUPLICATE_FIELD, "KEY appears twice", "KEY", v);
        }
        keySeen = true;
        if (v.shape() != FieldValue.INTEGER) {
            error(Kind.WRONG_TYPE, "KEY must be an integer, found " + v.found(), "KEY", v);
            return;
        }
        // fields that came before KEY were kept as extensions; end() binds the KEY's one
        long n = v.fitsLong() ? v.longValue() : Long.MAX_VALUE;
        key = n == (int) n ? (int) n : Integer.MAX_VALUE;
    }

    /**
     * Binds a field that came after the KEY, straight from the parser.
     *
     * @return true if the value is an array whose elements follow, one {@link #element} each
     */
    boolean field(Field f, FieldValue v) throws IOException {
        if (fieldSeen) {
            error(Kind.DUPLICATE_FIELD, f + " appears twice", f.name(), v);
        }
        return bind(f, v);
    }

    /** The one validation of a field's value; see {@link #field}. */
    private boolean bind(Field f, FieldValue v) throws IOException {
        fieldSeen = true;
        int shape = v.shape();
        switch (f.type) {
            case STRING, STRING_OR_NULL -> {
                if (shape == FieldValue.STRING) {
                    text = v.text();
                    return false;
                }
                if (shape == FieldValue.NULL && f.type == Type.STRING_OR_NULL) {
                    return false;
                }
            }
            case STRING_ARRAY -> {
                if (shape == FieldValue.ARRAY) {
                    list = new ArrayList<>();
                    return true;
                }
            }
            case INTEGER -> {
                if (shape == FieldValue.INTEGER) {
                    if (!v.fitsLong()) {
                        error(Kind.OUT_OF_RANGE, f + " is out of range: " + v.numberText(), f.name(), v);
                        return false;
                    }
                    number = v.longValue();
                    if (number < f.min || number > f.max) {
                        error(
                                Kind.OUT_OF_RANGE,
                                f + " must be " + f.min + ".." + f.max + ", was " + number,
                                f.name(),
                                v);
                    }
                    return false;
                }
            }
        }
        error(Kind.WRONG_TYPE, f + " must be " + f.type.expected + ", found " + v.found(), f.name(), v);
        return false;
    }

    /** Binds one element of the USERS array. */
    void element(FieldValue v) throws IOException {
        if (v.shape() != FieldValue.STRING) {
            error(Kind.WRONG_TYPE, "USERS must hold strings, found " + v.found(), "USERS", v);
            return;
        }
        String user = v.text();
        if (list.size() >= limits.maxUsers()) {
            error(Kind.TOO_MANY_ELEMENTS, "more users than the limit maxUsers=" + limits.maxUsers(), "USERS", v);
        } else {
            list.add(user);
        }
    }

    /** Keeps an extension field (or a field that came before the KEY). */
    void extension(String name, JsonValue value, FieldValue at) {
        if (ext == null) {
            ext = new LinkedHashMap<>();
        } else if (ext.containsKey(name)) {
            error(Kind.DUPLICATE_FIELD, name + " appears twice", name, at);
        }
        ext.put(name, value);
    }

    /**
     * Records a recoverable error; only the first of a message is kept, and thrown by
     * {@link #end()} or {@link #throwPendingError()}.
     */
    void error(Kind kind, String detail, String field, FieldValue at) {
        if (errorKind == null) {
            errorKind = kind;
            errorDetail = detail;
            errorOffset = at.offset();
            errorField = field;
        }
    }

    /** Records a recoverable error at the start of the message, such as MISSING_KEY. */
    private void errorAtStart(Kind kind, String detail, String field) {
        late.value = null;
        error(kind, detail, field, late);
    }

    /** Throws the error recorded for this message, if any, and forgets it. */
    void throwPendingError() {
        if (errorKind != null) {
            Kind k = errorKind;
            errorKind = null;
            ext = null;
            throw new ProtocolException(k, errorDetail, errorOffset, reportedKey(), errorField);
        }
    }

    /**
     * Completes the message: binds the KEY's field if it came before the KEY, checks that the
     * KEY's required field is there, and builds the message.
     *
     * @return the message
     * @throws ProtocolException the first recoverable error of the message
     */
    ControlMessage end() throws IOException {
        if (!keySeen) {
            errorAtStart(Kind.MISSING_KEY, "a message must have an integer KEY", null);
        }
        throwPendingError();
        if (RoomProtocol.isRoomKey(key) || TipProtocol.isLossKey(key)) {
            // every field of a TIP/2 rooms or loss-feedback message is kept as is: RoomProtocol
            // and the loss feedback read them
            Extensions fields = ext == null ? Extensions.NONE : Extensions.of(ext);
            ext = null;
            return new ControlMessage.Extended(key, fields);
        }
        if (key < ControlMessage.KEY_ACK || key > ControlMessage.KEY_CLIENT_PORT) {
            throw new ProtocolException(
                    Kind.UNKNOWN_KEY,
                    "KEY " + (key == Integer.MAX_VALUE ? "(out of int range)" : key) + " is not known to this version",
                    messageStart,
                    key == Integer.MAX_VALUE ? ProtocolException.NO_KEY : key,
                    "KEY");
        }
        Field f = FIELD_OF_KEY[key];
        if (f != null && ext != null && ext.containsKey(f.name())) {
            bindLate(f, ext.remove(f.name()));
            throwPendingError();
        }
        Extensions extensions = ext == null ? Extensions.NONE : Extensions.of(ext);
        ext = null;
        if (f != null && f.required && !fieldSeen) {
            throw new ProtocolException(
                    Kind.MISSING_FIELD, "KEY " + key + " requires " + f, messageStart, key, f.name());
        }
        return switch (key) {
            case ControlMessage.KEY_ACK -> new ControlMessage.Ack(extensions);
            case ControlMessage.KEY_UNKNOWN_ERROR -> new ControlMessage.UnknownError(extensions);
            case ControlMessage.KEY_SEND_NICKNAME -> new ControlMessage.SendNickname(text, extensions);
            case ControlMessage.KEY_SEND_NEW_USERS -> new ControlMessage.SendNewUsers(list, extensions);
            case ControlMessage.KEY_DISCONNECT -> new ControlMessage.Disconnect(text, extensions);
            case ControlMessage.KEY_SERVER_CLOSE -> new ControlMessage.ServerClose(extensions);
            case ControlMessage.KEY_SESSION -> new ControlMessage.Session((int) number, extensions);
            default -> new ControlMessage.ClientPort((int) number, extensions);
        };
    }

    /**
     * Binds a field that came before the KEY, from the tree it was kept as. There is no
     * duplicate check: two of them would have been refused as duplicate extensions. If the same
     * field also came after the KEY, this earlier value replaces that one.
     */
    private void bindLate(Field f, JsonValue value) throws IOException {
        late.value = value;
        if (bind(f, late)) {
            for (JsonValue e : ((JsonValue.Arr) value).values()) {
                late.value = e;
                element(late);
            }
        }
    }

    /** A kept {@link JsonValue} seen as a {@link FieldValue}; its errors are reported at the message. */
    private final class LateValue implements FieldValue {
        JsonValue value;

        @Override
        public int shape() {
            if (value instanceof JsonValue.Str) {
                return STRING;
            } else if (value instanceof JsonValue.Null) {
                return NULL;
            } else if (value instanceof JsonValue.Arr) {
                return ARRAY;
            } else if (value instanceof JsonValue.Num n) {
                BigDecimal d = n.value();
                // more than 19 digits before the point cannot be a long: out of range, whatever
                // the fraction; checked first, so that 1E999999999 is never expanded. Otherwise
                // an integer token has scale 0, and 5253.0 or 5E3 have a fraction or exponent
                if (d.signum() != 0 && d.precision() - d.scale() > 19) {
                    return INTEGER;
                }
                return d.scale() == 0 ? INTEGER : OTHER;
            }
            return OTHER;
        }

        @Override
        public String text() {
            return ((JsonValue.Str) value).value();
        }

        @Override
        public boolean fitsLong() {
            BigDecimal d = ((JsonValue.Num) value).value();
            return d.scale() == 0 && d.toBigInteger().bitLength() < 63;
        }

        @Override
        public long longValue() {
            return ((JsonValue.Num) value).value().longValueExact();
        }

        @Override
        public String numberText() {
            return value.toString();
        }

        @Override
        public Object found() {
            return value;
        }

        @Override
        public long offset() {
            return messageStart;
        }
    }
}
