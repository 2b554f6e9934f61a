/**
 * The client SDK: {@code TipClient}, its builder, the session states and the session listener.
 */
package dev.tip.core;
