package dev.tip.core.protocol;

/**
 * Input limits for the control decoder: what one peer may make the decoder hold. An error names
 * the limit it hit. Immutable and thread-safe.
 *
 * <pre>{@code
 * ProtocolLimits limits = ProtocolLimits.DEFAULT.withMaxMessageBytes(4096);
 * }</pre>
 *
 * @param maxMessageBytes longest message in bytes, from its opening brace to its closing brace
 *     (the decoder never buffers more); default {@value #DEFAULT_MAX_MESSAGE_BYTES}
 * @param maxNesting deepest nesting of objects and arrays, the message itself counting as 1;
 *     default {@value #DEFAULT_MAX_NESTING}
 * @param maxStringChars longest string (a name, a reason, a field name) in characters; default
 *     {@value #DEFAULT_MAX_STRING_CHARS}
 * @param maxUsers most names in a USERS list; default {@value #DEFAULT_MAX_USERS}
 * @param maxFields most fields in one message, extension fields included; default
 *     {@value #DEFAULT_MAX_FIELDS}
 */
public record ProtocolLimits(int maxMessageBytes, int maxNesting, int maxStringChars, int maxUsers, int maxFields) {

    /** Default longest message: 64 KiB. */
    public static final int DEFAULT_MAX_MESSAGE_BYTES = 64 * 1024;
    /** Default deepest nesting: 8 (the message object counts as 1). */
    public static final int DEFAULT_MAX_NESTING = 8;
    /** Default longest string: 4096 characters. */
    public static final int DEFAULT_MAX_STRING_CHARS = 4096;
    /** Default most users in a list: 1000, the original's range of session ids. */
    public static final int DEFAULT_MAX_USERS = 1000;
    /** Default most fields in a message: 64. */
    public static final int DEFAULT_MAX_FIELDS = 64;

    /** The defaults. */
    public static final ProtocolLimits DEFAULT = new ProtocolLimits(
            DEFAULT_MAX_MESSAGE_BYTES,
            DEFAULT_MAX_NESTING,
            DEFAULT_MAX_STRING_CHARS,
            DEFAULT_MAX_USERS,
            DEFAULT_MAX_FIELDS);

    /** Validates each limit and names the bad one. */
    public ProtocolLimits {
        if (maxMessageBytes < 16) {
            throw new IllegalArgumentException("maxMessageBytes must be at least 16, was " + maxMessageBytes);
        }
        if (maxNesting < 2 || maxNesting > 1000) {
            throw new IllegalArgumentException("maxNesting must be 2..1000, was " + maxNesting);
        }
        if (maxStringChars < 1) {
            throw new IllegalArgumentException("maxStringChars must be positive, was " + maxStringChars);
        }
        if (maxUsers < 1) {
            throw new IllegalArgumentException("maxUsers must be positive, was " + maxUsers);
        }
        if (maxFields < 2) {
            throw new IllegalArgumentException("maxFields must be at least 2, was " + maxFields);
        }
    }

    /**
     * Returns a copy with another message size limit.
     *
     * @param bytes the longest message in bytes
     * @return the new limits
     */
    public ProtocolLimits withMaxMessageBytes(int bytes) {
        return new ProtocolLimits(bytes, maxNesting, maxStringChars, maxUsers, maxFields);
    }

    /**
     * Returns a copy with another nesting limit.
     *
     * @param depth the deepest nesting
     * @return the new limits
     */
    public ProtocolLimits withMaxNesting(int depth) {
        return new ProtocolLimits(maxMessageBytes, depth, maxStringChars, maxUsers, maxFields);
    }

    /**
     * Returns a copy with another string length limit.
     *
     * @param chars the longest string in characters
     * @return the new limits
     */
    public ProtocolLimits withMaxStringChars(int chars) {
        return new ProtocolLimits(maxMessageBytes, maxNesting, chars, maxUsers, maxFields);
    }

    /**
     * Returns a copy with another user list limit.
     *
     * @param users the most names in a USERS list
     * @return the new limits
     */
    public ProtocolLimits withMaxUsers(int users) {
        return new ProtocolLimits(maxMessageBytes, maxNesting, maxStringChars, users, maxFields);
    }
}
