/**
 * A deterministic model of network impairments (delay distributions, spikes, route changes,
 * bursty loss, duplication, sender clock drift, talk-spurt gating) that produces voice traces for
 * tests and for the jitter evaluation. Not exported; not API.
 */
package dev.tip.testing.netsim;
