package dev.tip.core.protocol;

import dev.tip.core.TipException;

/**
 * A peer sent control bytes that break the protocol. Says what was wrong ({@link #kind()}), where
 * (the byte offset in the stream, and the KEY and field where known), and whether the stream can
 * go on ({@link #isRecoverable()}): after a recoverable error the offending message has been
 * consumed whole and the decoder continues with the next one; after a fatal one the stream is out
 * of step and the connection should be closed. Immutable.
 */
public final class ProtocolException extends TipException {
    private static final long serialVersionUID = 1L;

    /** What kind of mistake; each says whether the stream can continue after it. */
    public enum Kind {
        /** Not JSON: a syntax error. Fatal. */
        MALFORMED_JSON(false),
        /** Bytes that are not valid UTF-8. Fatal. */
        INVALID_UTF8(false),
        /** A message longer than {@link ProtocolLimits#maxMessageBytes()}. Fatal. */
        MESSAGE_TOO_LONG(false),
        /** Objects or arrays nested deeper than {@link ProtocolLimits#maxNesting()}. Fatal. */
        NESTING_TOO_DEEP(false),
        /** A string longer than {@link ProtocolLimits#maxStringChars()}. Fatal. */
        STRING_TOO_LONG(false),
        /** A top-level JSON value that is not an object. Recoverable: the value was skipped. */
        NOT_AN_OBJECT(true),
        /** An object without a KEY field. Recoverable. */
        MISSING_KEY(true),
        /**
         * A KEY value this version does not know; a newer peer may send it. Recoverable: original
         * peers ignore such messages, and so may the caller.
         */
        UNKNOWN_KEY(true),
        /** A field that the message's KEY requires is absent. Recoverable. */
        MISSING_FIELD(true),
        /** A field of the wrong JSON type. Recoverable. */
        WRONG_TYPE(true),
        /** An integer outside its range (PORT outside 1..65535, SESSION negative). Recoverable. */
        OUT_OF_RANGE(true),
        /** The same field twice in one message. Recoverable. */
        DUPLICATE_FIELD(true),
        /** More users or fields than the limits allow. Recoverable. */
        TOO_MANY_ELEMENTS(true);

        private final boolean recoverable;

        Kind(boolean recoverable) {
            this.recoverable = recoverable;
        }

        /**
         * Tells whether the decoder can continue after this kind of error.
         *
         * @return true if the offending message was consumed and decoding can go on
         */
        public boolean isRecoverable() {
            return recoverable;
        }
    }

    /** {@link #key()} when the KEY is not known. */
    public static final int NO_KEY = -1;

    private final Kind kind;
    private final long offset;
    private final int key;
    private final String field;

    /**
     * Creates an exception.
     *
     * @param kind what kind of mistake
     * @param detail what exactly was wrong
     * @param offset byte offset in the stream where it was found
     * @param key the message's KEY, or {@link #NO_KEY}
     * @param field the field concerned, or null
     */
    public ProtocolException(Kind kind, String detail, long offset, int key, String field) {
        super(format(kind, detail, offset, key, field));
        this.kind = kind;
        this.offset = offset;
        this.key = key;
        this.field = field;
    }

    private static String format(Kind kind, String detail, long offset, int key, String field) {
        StringBuilder sb = new StringBuilder(kind.name())
                .append(": ")
                .append(detail)
                .append(" at byte ")
                .append(offset);
        if (key != NO_KEY) {
            sb.append(", KEY ").append(key);
        }
        if (field != null) {
            sb.append(", field ").append(field);
        }
        return sb.toString();
    }

    /**
     * Returns what kind of mistake this is.
     *
     * @return the kind
     */
    public Kind kind() {
        return kind;
    }

    /**
     * Tells whether the decoder can go on with the next message.
     *
     * @return true if recoverable
     */
    public boolean isRecoverable() {
        return kind.isRecoverable();
    }

    /**
     * Returns the byte offset in the stream (counted from the first byte fed to the decoder) where
     * the mistake was found.
     *
     * @return the offset
     */
    public long offset() {
        return offset;
    }

    /**
     * Returns the KEY of the offending message, where known.
     *
     * @return the KEY, or {@link #NO_KEY}
     */
    public int key() {
        return key;
    }

    /**
     * Returns the field concerned, where known.
     *
     * @return the field name, or null
     */
    public String field() {
        return field;
    }
}
