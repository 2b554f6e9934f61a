package dev.tip.core.protocol;

import java.math.BigDecimal;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A JSON value carried in an extension field of a control message: a field that this version of
 * TIP does not interpret, kept so that a relay or a newer peer can read it. Immutable.
 */
public sealed interface JsonValue {

    /** JSON {@code null}. */
    JsonValue NULL = new Null();
    /** JSON {@code true}. */
    JsonValue TRUE = new Bool(true);
    /** JSON {@code false}. */
    JsonValue FALSE = new Bool(false);

    /**
     * Returns the JSON value for a Java {@code long}.
     *
     * @param value the number
     * @return a number value
     */
    static JsonValue of(long value) {
        return new Num(BigDecimal.valueOf(value));
    }

    /**
     * Returns the JSON value for a string.
     *
     * @param value the string, not null
     * @return a string value
     */
    static JsonValue of(String value) {
        return new Str(value);
    }

    /**
     * Returns the JSON value for a boolean.
     *
     * @param value the boolean
     * @return {@link #TRUE} or {@link #FALSE}
     */
    static JsonValue of(boolean value) {
        return value ? TRUE : FALSE;
    }

    /** JSON {@code null}. */
    record Null() implements JsonValue {
        @Override
        public String toString() {
            return "null";
        }
    }

    /**
     * A JSON boolean.
     *
     * @param value the boolean
     */
    record Bool(boolean value) implements JsonValue {
        @Override
        public String toString() {
            return Boolean.toString(value);
        }
    }

    /**
     * A JSON number, kept exactly.
     *
     * @param value the number
     */
    record Num(BigDecimal value) implements JsonValue {
        /** Rejects null. */
        public Num {
            Objects.requireNonNull(value, "value");
        }

        @Override
        public String toString() {
            return value.toString();
        }
    }

    /**
     * A JSON string.
     *
     * @param value the string
     */
    record Str(String value) implements JsonValue {
        /** Rejects null. */
        public Str {
            Objects.requireNonNull(value, "value");
        }

        @Override
        public String toString() {
            return '"' + value + '"';
        }
    }

    /**
     * A JSON array.
     *
     * @param values the elements, copied
     */
    record Arr(List<JsonValue> values) implements JsonValue {
        /** Copies the list; rejects null elements. */
        public Arr {
            values = List.copyOf(values);
        }

        @Override
        public String toString() {
            return values.toString();
        }
    }

    /**
     * A JSON object, in field order.
     *
     * @param fields the fields, copied in their order
     */
    record Obj(Map<String, JsonValue> fields) implements JsonValue {
        /** Copies the map, keeping its order; rejects null keys and values. */
        public Obj {
            LinkedHashMap<String, JsonValue> copy = new LinkedHashMap<>();
            fields.forEach((k, v) -> copy.put(Objects.requireNonNull(k, "key"), Objects.requireNonNull(v, "value")));
            fields = Collections.unmodifiableMap(copy);
        }

        @Override
        public String toString() {
            return fields.toString();
        }
    }
}
