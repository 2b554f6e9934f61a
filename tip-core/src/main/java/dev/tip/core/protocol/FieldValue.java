package dev.tip.core.protocol;

import java.io.IOException;

/**
 * A field value as {@link MessageBinder} sees it: its shape, its content read lazily, and where
 * an error in it is reported. The {@link TokenMachine} is the value of the parser's current
 * token (so that reading a value allocates nothing but its string); the binder's own adapter is
 * the value of a kept {@link JsonValue}. Either way the binder applies the same rules.
 *
 * <p>Package-private (see {@link Utf8Validator} for why).
 */
interface FieldValue {
    /** {@link #shape()}: a string. */
    int STRING = 0;
    /** {@link #shape()}: null. */
    int NULL = 1;
    /** {@link #shape()}: an integer, maybe one too large for a long. */
    int INTEGER = 2;
    /** {@link #shape()}: an array. */
    int ARRAY = 3;
    /** {@link #shape()}: anything else (a boolean, an object, a number with a fraction). */
    int OTHER = 4;

    /** Returns the shape: one of the constants above. */
    int shape() throws IOException;

    /** Returns the string of a {@link #STRING}, checked against the string length limit. */
    String text() throws IOException;

    /** Tells whether an {@link #INTEGER} fits a long. */
    boolean fitsLong() throws IOException;

    /** Returns the value of an {@link #INTEGER} that fits a long. */
    long longValue() throws IOException;

    /** Returns the number as written, for an {@link #INTEGER} out of range. */
    String numberText() throws IOException;

    /** Returns what was found instead of the expected type, for the error's detail. */
    Object found();

    /** Returns the stream offset at which an error in this value is reported. */
    long offset();
}
