/**
 * Test fixtures that every module's tests share: waiting on conditions, counting allocations,
 * peers that speak the original dialect with raw sockets and count what they hear, and (in
 * {@code netsim}) the network impairment model and a relay that applies it on loopback. Depends on
 * no TIP module, so that tip-core's own tests can use it. Not for production code.
 */
package dev.tip.testing;
