package dev.tip.core.protocol;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import java.io.IOException;

/**
 * Makes the non-blocking jackson-core parsers that {@link ControlDecoder} reads with, with
 * Jackson's own limits set as a backstop behind the decoder's, and says by type which of those
 * limits a stream hit: {@link StringLimitException} and {@link NestingLimitException} replace the
 * plain {@link StreamConstraintsException} that Jackson throws for every limit alike, so that the
 * decoder never has to read Jackson's message text.
 *
 * <p>Package-private (see {@link Utf8Validator} for why). A factory is thread-safe once built, so
 * the one for the default limits is shared.
 */
final class ParserFactory {

    /** Longest number token in characters; a longer one is malformed for TIP. */
    static final int MAX_NUMBER_CHARS = 1000;

    private static final JsonFactory DEFAULT = factoryFor(ProtocolLimits.DEFAULT);

    private ParserFactory() {}

    /**
     * Creates a non-blocking parser for a decoder with these limits.
     *
     * @param limits the decoder's limits
     * @return a new parser
     */
    static JsonParser newParser(ProtocolLimits limits) {
        JsonFactory factory = limits.equals(ProtocolLimits.DEFAULT) ? DEFAULT : factoryFor(limits);
        try {
            return factory.createNonBlockingByteArrayParser();
        } catch (IOException e) {
            throw new IllegalStateException("jackson-core cannot create a non-blocking parser", e);
        }
    }

    private static JsonFactory factoryFor(ProtocolLimits limits) {
        // our own checks fire first and name our limits; these are the backstop. Inside a message
        // a string cannot outgrow them (it has fewer characters than the message has bytes), but
        // a string at the top level, outside any message, is bounded by Jackson alone
        int longestString = Math.max(limits.maxStringChars(), limits.maxMessageBytes()) + 1;
        StreamReadConstraints plain = StreamReadConstraints.builder()
                .maxNestingDepth(limits.maxNesting() + 1)
                .maxStringLength(longestString)
                .maxNameLength(longestString)
                .maxNumberLength(MAX_NUMBER_CHARS)
                .build();
        return new JsonFactory()
                .rebuild()
                .streamReadConstraints(new TypedConstraints(plain))
                .build();
    }

    /** Jackson's string or field name length limit was hit. */
    static final class StringLimitException extends StreamConstraintsException {
        private static final long serialVersionUID = 1L;

        StringLimitException(StreamConstraintsException e) {
            super(e.getOriginalMessage());
        }
    }

    /** Jackson's nesting limit was hit. */
    static final class NestingLimitException extends StreamConstraintsException {
        private static final long serialVersionUID = 1L;

        NestingLimitException(StreamConstraintsException e) {
            super(e.getOriginalMessage());
        }
    }

    /**
     * The same limits, throwing a subtype that names the limit. Jackson calls these methods
     * through the factory's constraints object; the other limits (number length, document
     * length, token count) keep the plain exception.
     */
    private static final class TypedConstraints extends StreamReadConstraints {
        private static final long serialVersionUID = 1L;

        TypedConstraints(StreamReadConstraints c) {
            super(
                    c.getMaxNestingDepth(),
                    c.getMaxDocumentLength(),
                    c.getMaxNumberLength(),
                    c.getMaxStringLength(),
                    c.getMaxNameLength(),
                    c.getMaxTokenCount());
        }

        @Override
        public void validateStringLength(int length) throws StreamConstraintsException {
            try {
                super.validateStringLength(length);
            } catch (StreamConstraintsException e) {
                throw new StringLimitException(e);
            }
        }

        @Override
        public void validateNameLength(int length) throws StreamConstraintsException {
            try {
                super.validateNameLength(length);
            } catch (StreamConstraintsException e) {
                throw new StringLimitException(e);
            }
        }

        @Override
        public void validateNestingDepth(int depth) throws StreamConstraintsException {
            try {
                super.validateNestingDepth(depth);
            } catch (StreamConstraintsException e) {
                throw new NestingLimitException(e);
            }
        }
    }
}
