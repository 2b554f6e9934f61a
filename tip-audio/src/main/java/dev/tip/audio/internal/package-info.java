/**
 * Internals of tip-audio: the resampler, the sample FIFO, channel mixing and the Java Sound line
 * adapters. Not exported; anything here may change without notice.
 */
package dev.tip.audio.internal;
