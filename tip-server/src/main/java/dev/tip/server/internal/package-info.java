/**
 * Internals of the TIP server: the control loop (one selector thread for every TCP connection)
 * and the voice relay (one thread for UDP). Not exported.
 */
package dev.tip.server.internal;
