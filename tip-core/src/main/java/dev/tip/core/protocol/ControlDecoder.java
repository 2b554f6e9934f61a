package dev.tip.core.protocol;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.async.ByteArrayFeeder;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import dev.tip.core.protocol.ProtocolException.Kind;
import java.io.IOException;
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
 *
 * <p>Inside, the decoder is split at the framing seam (as Netty puts {@code JsonObjectDecoder}
 * before the handler that binds), into package-private parts: {@link BoundedInput} with
 * {@link Utf8Validator} (the caller's chunks, sliced to the message size limit, only valid UTF-8
 * reaching the parser), jackson-core's non-blocking parser made by {@link ParserFactory}, the
 * {@link TokenMachine} (modes and depth), the {@link MessageBinder} (the per-KEY table, one
 * validation per field) and the {@link JsonTreeBuilder} (extension values). This class only
 * wires them and turns Jackson's exceptions, by their type, into {@link ProtocolException}s.
 */
public final class ControlDecoder {

    private final ProtocolLimits limits;
    private final JsonParser parser;
    private final BoundedInput input;
    private final TokenMachine machine;
    private ProtocolException fatal;

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
        this.parser = ParserFactory.newParser(limits);
        this.input = new BoundedInput((ByteArrayFeeder) parser.getNonBlockingInputFeeder());
        this.machine = new TokenMachine(limits, parser);
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
                    if (machine.depth() > 0) {
                        throw machine.fail(Kind.MALFORMED_JSON, "stream ended inside a message", input.fed());
                    }
                    return null;
                }
                ControlMessage m = machine.onToken(t);
                if (m != null) {
                    return m;
                }
            }
        } catch (ProtocolException e) {
            if (!e.isRecoverable()) {
                fatal = e;
            }
            throw e;
        } catch (ParserFactory.StringLimitException e) {
            // Jackson's backstop: reachable only by a string outside any message (see ParserFactory)
            throw fatal = machine.fail(Kind.STRING_TOO_LONG, e.getOriginalMessage(), location());
        } catch (ParserFactory.NestingLimitException e) {
            // Jackson's backstop, one level past ours: TokenMachine refuses the deeper token first
            throw fatal = machine.fail(Kind.NESTING_TOO_DEEP, e.getOriginalMessage(), location());
        } catch (StreamConstraintsException e) {
            // any other Jackson limit: a number longer than ParserFactory.MAX_NUMBER_CHARS
            throw fatal = machine.fail(Kind.MALFORMED_JSON, e.getOriginalMessage(), location());
        } catch (JsonParseException e) {
            // a syntax error: never bad UTF-8, which BoundedInput keeps from the parser
            String msg = String.valueOf(e.getOriginalMessage());
            if (input.ended() && machine.depth() > 0) {
                msg = "stream ended inside a message (" + msg + ")";
            }
            throw fatal = machine.fail(Kind.MALFORMED_JSON, msg, location());
        } catch (IOException e) {
            throw fatal = machine.fail(Kind.MALFORMED_JSON, String.valueOf(e.getMessage()), location());
        }
    }

    private long location() {
        return parser.currentLocation().getByteOffset();
    }

    /** Feeds the parser the next slice of input that the message size limit allows. */
    private boolean feedSlice() throws IOException {
        long allowed = machine.depth() > 0
                ? machine.messageStart() + limits.maxMessageBytes() - input.fed()
                : limits.maxMessageBytes();
        switch (input.feedSlice(allowed)) {
            case BoundedInput.FED:
                return true;
            case BoundedInput.NEEDS_INPUT:
                return false;
            case BoundedInput.INVALID_UTF8:
                throw machine.fail(Kind.INVALID_UTF8, "invalid UTF-8 byte sequence", input.invalidUtf8At());
            default:
                throw machine.fail(
                        Kind.MESSAGE_TOO_LONG,
                        "message longer than the limit maxMessageBytes=" + limits.maxMessageBytes(),
                        machine.messageStart());
        }
    }
}
