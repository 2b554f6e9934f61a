/**
 * The jitter buffer's playout engine and its target-delay policies. Not exported; the public face
 * is {@code dev.tip.core.audio.JitterBuffer}. The evaluation uses the engine directly to run
 * baseline policies through the same playout machinery.
 *
 * <p>{@link dev.tip.core.internal.jitter.PlayoutEngine} coordinates single-threaded parts: the
 * frame store ({@code SlotRing}), the arrival side ({@code Admission} on a {@code Timeline}), the
 * playout side ({@code PlayoutScheduler} with its {@code WaitTracker}), the output samples ({@code
 * SampleFifo}), the counters ({@code PlayoutStats}) and the numbering of unsequenced frames ({@code
 * UnsequencedNumbering}).
 */
package dev.tip.core.internal.jitter;
