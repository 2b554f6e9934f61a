package dev.tip.core.protocol;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.tip.core.protocol.ProtocolException.Kind;
import java.io.IOException;

/**
 * The JSON token machine of {@link ControlDecoder}: takes the parser's tokens one at a time and
 * says where each goes. It tracks the nesting depth (and enforces its limit), where a message
 * starts, which top-level field is being read, and one mode:
 *
 * <ul>
 *   <li>ROOT: between messages; an object starts one, anything else is refused;
 *   <li>FIELDS: in a message, expecting a field name or the end;
 *   <li>VALUE: after a field name; the value goes to the {@link MessageBinder} if the KEY defines
 *       the field, otherwise to the {@link JsonTreeBuilder} as an extension;
 *   <li>USERS: inside the USERS array, each element to the binder;
 *   <li>GENERIC: inside an extension's container, every token to the tree builder;
 *   <li>SKIP: inside a refused container, until the depth is back to where it started.
 * </ul>
 *
 * <p>It is also the {@link FieldValue} of the parser's current token, so that the binder
 * reads values lazily and the streaming path allocates nothing but the message itself.
 *
 * <p>Package-private (see {@link Utf8Validator} for why). Not thread-safe: one per decoder.
 */
final class TokenMachine implements FieldValue, JsonTreeBuilder.Context {

    private static final int MODE_ROOT = 0;
    private static final int MODE_FIELDS = 1;
    private static final int MODE_VALUE = 2;
    private static final int MODE_USERS = 3;
    private static final int MODE_GENERIC = 4;
    private static final int MODE_SKIP = 5;

    private final ProtocolLimits limits;
    private final JsonParser parser;
    private final MessageBinder binder;
    private final JsonTreeBuilder tree;

    private int mode = MODE_ROOT;
    private int depth;
    private long messageStart;
    private int skipBaseDepth;
    private int skipReturnMode = MODE_ROOT;
    /** The top-level field being read. */
    private String field;

    private int fieldCount;

    TokenMachine(ProtocolLimits limits, JsonParser parser) {
        this.limits = limits;
        this.parser = parser;
        this.binder = new MessageBinder(limits);
        this.tree = new JsonTreeBuilder(limits, parser, this);
    }

    /** Returns the nesting depth: 0 between messages. */
    int depth() {
        return depth;
    }

    /** Returns the stream offset of the current message's opening brace. */
    long messageStart() {
        return messageStart;
    }

    /**
     * Takes the parser's next token.
     *
     * @param t the token
     * @return a complete message, or null
     * @throws ProtocolException for bad input, recoverable or not
     */
    ControlMessage onToken(JsonToken t) throws IOException {
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
            case MODE_ROOT -> onRootToken(t);
            case MODE_FIELDS -> {
                if (t == JsonToken.END_OBJECT) {
                    mode = MODE_ROOT;
                    return binder.end();
                }
                if (t != JsonToken.FIELD_NAME) {
                    throw fail(Kind.MALFORMED_JSON, "expected a field name, found " + describe(t), tokenOffset());
                }
                // named before it is checked: a fatal error for a long name names the name
                field = parser.currentName();
                checkLength(field);
                if (++fieldCount > limits.maxFields()) {
                    error(Kind.TOO_MANY_ELEMENTS, "more fields than the limit maxFields=" + limits.maxFields(), field);
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
                } else {
                    binder.element(this);
                    if (t == JsonToken.START_ARRAY || t == JsonToken.START_OBJECT) {
                        skipThenReturnTo(MODE_USERS, depth - 1);
                    }
                }
            }
            case MODE_GENERIC -> {
                JsonValue v = tree.onToken(t);
                if (v != null) {
                    binder.extension(field, v, this);
                    mode = MODE_FIELDS;
                }
            }
            case MODE_SKIP -> {
                // a refused value is skipped, but its strings still may not outgrow the limit
                if (t == JsonToken.VALUE_STRING) {
                    checkLength(parser.getText());
                }
                if (depth == skipBaseDepth) {
                    mode = skipReturnMode;
                    if (mode == MODE_ROOT) {
                        // the skipped value was a top-level array: now it is consumed
                        binder.throwPendingError();
                    }
                }
            }
            default -> throw new IllegalStateException("mode " + mode);
        }
        return null;
    }

    private void onRootToken(JsonToken t) throws IOException {
        if (t == JsonToken.START_OBJECT) {
            mode = MODE_FIELDS;
            messageStart = tokenOffset();
            binder.start(messageStart);
            field = null;
            fieldCount = 0;
            skipReturnMode = MODE_ROOT;
        } else if (t == JsonToken.START_ARRAY) {
            // reported once the array is skipped whole, so that the stream stays in step; like
            // every recorded error it names the KEY the binder holds, here the previous message's
            skipThenReturnTo(MODE_ROOT, 0);
            error(Kind.NOT_AN_OBJECT, "a message must be a JSON object, found an array", null);
        } else {
            if (t == JsonToken.VALUE_STRING) {
                checkLength(parser.getText());
            }
            throw fail(Kind.NOT_AN_OBJECT, "a message must be a JSON object, found " + describe(t), tokenOffset());
        }
    }

    private void onFieldValue(JsonToken t) throws IOException {
        mode = MODE_FIELDS;
        String f = field;
        if ("KEY".equals(f)) {
            binder.key(this);
        } else {
            MessageBinder.Field typed = binder.fieldNamed(f);
            if (typed == null) {
                // an extension, or a field before KEY: kept whole, bound (if at all) at the end
                JsonValue v = tree.start(t, f);
                if (v != null) {
                    binder.extension(f, v, this);
                } else {
                    mode = MODE_GENERIC;
                }
                return;
            }
            if (binder.field(typed, this)) {
                mode = MODE_USERS;
                return;
            }
        }
        // the only container a typed field takes is the USERS array: any other was refused
        if (t == JsonToken.START_ARRAY || t == JsonToken.START_OBJECT) {
            skipThenReturnTo(MODE_FIELDS, depth - 1);
        }
    }

    private void skipThenReturnTo(int returnMode, int baseDepth) {
        mode = MODE_SKIP;
        skipReturnMode = returnMode;
        skipBaseDepth = baseDepth;
    }

    // ---- errors ----

    /**
     * Returns a fatal (or, for NOT_AN_OBJECT, immediate) error naming the message's KEY and field
     * where known.
     */
    ProtocolException fail(Kind kind, String detail, long offset) {
        return new ProtocolException(
                kind,
                detail,
                offset,
                depth > 0 ? binder.reportedKey() : ProtocolException.NO_KEY,
                depth > 0 ? field : null);
    }

    @Override
    public void error(Kind kind, String detail, String field) {
        binder.error(kind, detail, field, this);
    }

    @Override
    public String checkLength(String s) {
        if (s.length() > limits.maxStringChars()) {
            throw fail(
                    Kind.STRING_TOO_LONG,
                    "string longer than the limit maxStringChars=" + limits.maxStringChars(),
                    tokenOffset());
        }
        return s;
    }

    /**
     * The stream offset of the current token's first byte. Jackson's non-blocking parser reports
     * one past it for every token but END_OBJECT and END_ARRAY (seen in jackson-core 2.22).
     */
    private long tokenOffset() {
        long at = parser.currentTokenLocation().getByteOffset();
        JsonToken t = parser.currentToken();
        return t == JsonToken.END_OBJECT || t == JsonToken.END_ARRAY ? at : Math.max(0, at - 1);
    }

    // ---- the current token as a value for the binder ----

    @Override
    public int shape() {
        return switch (parser.currentToken()) {
            case VALUE_STRING -> STRING;
            case VALUE_NULL -> NULL;
            case VALUE_NUMBER_INT -> INTEGER;
            case START_ARRAY -> ARRAY;
            default -> OTHER;
        };
    }

    @Override
    public String text() throws IOException {
        return checkLength(parser.getText());
    }

    @Override
    public boolean fitsLong() throws IOException {
        return parser.getNumberType() != JsonParser.NumberType.BIG_INTEGER;
    }

    @Override
    public long longValue() throws IOException {
        return parser.getLongValue();
    }

    @Override
    public String numberText() throws IOException {
        return parser.getText();
    }

    @Override
    public Object found() {
        return describe(parser.currentToken());
    }

    @Override
    public long offset() {
        return tokenOffset();
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
