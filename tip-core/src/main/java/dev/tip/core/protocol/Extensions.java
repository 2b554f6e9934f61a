package dev.tip.core.protocol;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * The extension fields of a control message: the fields that the message's KEY does not define,
 * in the order they appeared. Original peers ignore unknown fields, so a newer dialect adds its
 * fields here (for example {@code "VERSION": 2}); the decoder keeps every field it does not
 * interpret, and the encoder writes them after the message's own fields. Immutable and
 * thread-safe.
 *
 * <pre>{@code
 * Extensions ext = Extensions.builder().put("VERSION", 2).build();
 * new ControlMessage.SendNickname("Ann", ext);
 * }</pre>
 */
public final class Extensions {

    /** No extension fields. */
    public static final Extensions NONE = new Extensions(Map.of());

    private final Map<String, JsonValue> fields;

    private Extensions(Map<String, JsonValue> fields) {
        this.fields = fields;
    }

    /**
     * Returns extensions with the given fields, in the map's iteration order.
     *
     * @param fields field names and values
     * @return the extensions
     */
    public static Extensions of(Map<String, JsonValue> fields) {
        if (fields.isEmpty()) {
            return NONE;
        }
        LinkedHashMap<String, JsonValue> copy = new LinkedHashMap<>();
        fields.forEach((k, v) -> copy.put(Objects.requireNonNull(k, "name"), Objects.requireNonNull(v, "value")));
        return new Extensions(Collections.unmodifiableMap(copy));
    }

    /**
     * Returns a builder for extensions.
     *
     * @return an empty builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Returns the fields in their order.
     *
     * @return an unmodifiable map
     */
    public Map<String, JsonValue> fields() {
        return fields;
    }

    /**
     * Returns the names of the fields in their order.
     *
     * @return an unmodifiable set
     */
    public Set<String> names() {
        return fields.keySet();
    }

    /**
     * Tells whether there are no extension fields.
     *
     * @return true if empty
     */
    public boolean isEmpty() {
        return fields.isEmpty();
    }

    /**
     * Returns a field's value.
     *
     * @param name the field name
     * @return the value, or empty if absent
     */
    public Optional<JsonValue> get(String name) {
        return Optional.ofNullable(fields.get(name));
    }

    /**
     * Returns a field's value as an integer, if it is present and an integral number that fits a
     * {@code long}.
     *
     * @param name the field name
     * @return the number, or empty if absent or not an integer
     */
    public OptionalLong getLong(String name) {
        JsonValue v = fields.get(name);
        if (v instanceof JsonValue.Num n) {
            try {
                return OptionalLong.of(n.value().longValueExact());
            } catch (ArithmeticException e) {
                return OptionalLong.empty();
            }
        }
        return OptionalLong.empty();
    }

    /**
     * Returns a field's value as a string, if it is present and a string.
     *
     * @param name the field name
     * @return the string, or empty if absent or not a string
     */
    public Optional<String> getString(String name) {
        JsonValue v = fields.get(name);
        return v instanceof JsonValue.Str s ? Optional.of(s.value()) : Optional.empty();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Extensions e && fields.equals(e.fields);
    }

    @Override
    public int hashCode() {
        return fields.hashCode();
    }

    @Override
    public String toString() {
        return fields.toString();
    }

    /** Builds {@link Extensions}; not thread-safe. */
    public static final class Builder {
        private final LinkedHashMap<String, JsonValue> fields = new LinkedHashMap<>();

        private Builder() {}

        /**
         * Adds or replaces a field.
         *
         * @param name the field name
         * @param value the value
         * @return this builder
         */
        public Builder put(String name, JsonValue value) {
            fields.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /**
         * Adds or replaces an integer field.
         *
         * @param name the field name
         * @param value the value
         * @return this builder
         */
        public Builder put(String name, long value) {
            return put(name, JsonValue.of(value));
        }

        /**
         * Adds or replaces a string field.
         *
         * @param name the field name
         * @param value the value
         * @return this builder
         */
        public Builder put(String name, String value) {
            return put(name, JsonValue.of(value));
        }

        /**
         * Returns the extensions built so far.
         *
         * @return immutable extensions
         */
        public Extensions build() {
            return Extensions.of(fields);
        }
    }
}
