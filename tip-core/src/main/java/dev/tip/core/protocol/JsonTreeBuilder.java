package dev.tip.core.protocol;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.tip.core.protocol.ProtocolException.Kind;
import java.io.IOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds the {@link JsonValue} of one field that TIP does not bind (an extension, or a field that
 * came before the KEY), token by token as the parser delivers them, with the decoder's limits:
 * at most {@link ProtocolLimits#maxFields()} fields per object, arrays no longer than the user
 * or field limit, no duplicate names. Nesting is bounded by the caller, so the stack of open
 * containers is allocated once.
 *
 * <p>Package-private (see {@link Utf8Validator} for why). Not thread-safe: one per decoder.
 */
final class JsonTreeBuilder {

    /** What the builder needs from the token machine that drives it. */
    interface Context {
        /** Records a recoverable error at the current token; the first of a message wins. */
        void error(Kind kind, String detail, String field);

        /** Returns the string, or throws a fatal STRING_TOO_LONG at the current token. */
        String checkLength(String s);
    }

    private final ProtocolLimits limits;
    private final JsonParser parser;
    private final Context context;
    // the open containers (ArrayList or LinkedHashMap) and, for an object, the pending name
    private final Object[] stack;
    private final String[] stackNames;
    private int stackSize;
    private String field;

    /**
     * Creates a builder.
     *
     * @param limits the limits; {@code maxNesting} bounds the stack
     * @param parser the parser whose tokens are fed to {@link #onToken}
     * @param context where errors go
     */
    JsonTreeBuilder(ProtocolLimits limits, JsonParser parser, Context context) {
        this.limits = limits;
        this.parser = parser;
        this.context = context;
        this.stack = new Object[limits.maxNesting() + 1];
        this.stackNames = new String[limits.maxNesting() + 1];
    }

    /**
     * Starts the value of a field with the parser's current token: a scalar is complete at once,
     * a container is complete when {@link #onToken} returns it.
     *
     * @param t the first token of the value
     * @param field the top-level field the value belongs to, named in errors
     * @return the value of a scalar, or null if {@code t} opens a container
     */
    JsonValue start(JsonToken t, String field) throws IOException {
        this.field = field;
        if (t == JsonToken.START_ARRAY || t == JsonToken.START_OBJECT) {
            stackSize = 0;
            push(t);
            return null;
        }
        return scalar(t);
    }

    private void push(JsonToken t) {
        stack[stackSize] =
                t == JsonToken.START_ARRAY ? new ArrayList<JsonValue>() : new LinkedHashMap<String, JsonValue>();
        stackNames[stackSize] = null;
        stackSize++;
    }

    /**
     * Takes the next token of the container being built.
     *
     * @param t the parser's current token
     * @return the complete value once its outermost container closes, otherwise null
     */
    @SuppressWarnings("unchecked")
    JsonValue onToken(JsonToken t) throws IOException {
        Object top = stack[stackSize - 1];
        if (t == JsonToken.FIELD_NAME) {
            String n = context.checkLength(parser.currentName());
            if (((Map<String, JsonValue>) top).size() >= limits.maxFields()) {
                context.error(
                        Kind.TOO_MANY_ELEMENTS, "more fields than the limit maxFields=" + limits.maxFields(), field);
            }
            stackNames[stackSize - 1] = n;
            return null;
        }
        JsonValue value;
        if (t == JsonToken.START_ARRAY || t == JsonToken.START_OBJECT) {
            push(t);
            return null;
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
            return value;
        }
        Object parent = stack[stackSize - 1];
        if (parent instanceof ArrayList<?> list) {
            // the value is dropped: the message is refused anyway, and the list stays bounded
            if (list.size() >= Math.max(limits.maxUsers(), limits.maxFields())) {
                context.error(Kind.TOO_MANY_ELEMENTS, "array longer than the limits allow", field);
                return null;
            }
            ((ArrayList<JsonValue>) list).add(value);
        } else {
            Map<String, JsonValue> map = (Map<String, JsonValue>) parent;
            String n = stackNames[stackSize - 1];
            if (map.containsKey(n)) {
                context.error(Kind.DUPLICATE_FIELD, "field " + n + " appears twice", field);
            }
            map.put(n, value);
        }
        return null;
    }

    private JsonValue scalar(JsonToken t) throws IOException {
        switch (t) {
            case VALUE_STRING -> {
                return new JsonValue.Str(context.checkLength(parser.getText()));
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
                    context.error(Kind.OUT_OF_RANGE, "number out of range: " + parser.getText(), field);
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
}
