/**
 * The TCP control protocol: {@link dev.tip.core.protocol.ControlMessage} and its records, the
 * streaming {@link dev.tip.core.protocol.ControlDecoder}, the byte-exact
 * {@link dev.tip.core.protocol.ControlEncoder}, {@link dev.tip.core.protocol.ProtocolLimits} and
 * {@link dev.tip.core.protocol.ProtocolException}, and the protocol's facts in
 * {@link dev.tip.core.protocol.TipProtocol}. See docs/protocol.md for the wire format.
 *
 * <p>Not part of TIP's API: the module exports this package only to {@code dev.tip.server}, and a
 * release may change it. Applications use {@code TipClient} and {@code TipServer}.
 */
package dev.tip.core.protocol;
