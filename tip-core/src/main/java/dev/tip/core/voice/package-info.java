/**
 * Voice on the wire: the audio format of a room and the voice datagram of each dialect.
 */
package dev.tip.core.voice;
