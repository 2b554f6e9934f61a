/**
 * The jitter buffer's playout engine and its target-delay policies. Not exported; the public face
 * is {@code dev.tip.core.audio.JitterBuffer}. The evaluation uses the engine directly to run
 * baseline policies through the same playout machinery.
 */
package dev.tip.core.internal.jitter;
