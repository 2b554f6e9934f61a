/**
 * Internals of the TIP server, not exported. Two threads, each one loop class owning its state:
 * {@link dev.tip.server.internal.ControlLoop} (the control thread: one selector for every TCP
 * {@link dev.tip.server.internal.Connection}, driving the
 * {@link dev.tip.server.internal.ControlHandler} and through it the pure
 * {@link dev.tip.server.internal.Room} rules) and {@link dev.tip.server.internal.Relay} (the relay
 * thread: UDP I/O, driving the pure {@link dev.tip.server.internal.Routing} over the
 * {@link dev.tip.server.internal.MemberTable}). {@link dev.tip.server.internal.RunningServer} binds
 * the sockets and owns the threads; {@link dev.tip.server.internal.ServerConfig} is the builder's
 * result.
 */
package dev.tip.server.internal;
