/**
 * The TCP control protocol: {@link dev.tip.core.protocol.ControlMessage} and its records, the
 * streaming {@link dev.tip.core.protocol.ControlDecoder}, the byte-exact
 * {@link dev.tip.core.protocol.ControlEncoder}, {@link dev.tip.core.protocol.ProtocolLimits} and
 * {@link dev.tip.core.protocol.ProtocolException}. See docs/protocol.md for the wire format.
 */
package dev.tip.core.protocol;
