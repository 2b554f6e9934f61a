/**
 * Concentus, the pure-Java Opus codec (BSD-3-Clause, notice in {@code META-INF/LICENSE-concentus.txt}),
 * relocated here by the build from {@code io.github.jaredmdobson.concentus}. Not exported: only
 * {@code OpusFrameEncoder} and {@code OpusFrameDecoder} use it. This file declares the package so
 * that the module descriptor lists it; the classes come from the Concentus jar when tip-audio is
 * packaged.
 */
package dev.tip.audio.internal.concentus;
