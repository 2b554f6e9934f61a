/**
 * The embeddable TIP server: {@link dev.tip.server.TipServer}, its builder, the listener it
 * reports users through, and its statistics.
 */
package dev.tip.server;
