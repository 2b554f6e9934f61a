/**
 * The cryptography of TIP/2 voice: the ephemeral X25519 key exchange, HKDF key derivation,
 * AEAD packet protection with a never-repeating nonce per key, and the replay window every
 * receiver keeps. Everything is the JDK's (javax.crypto, java.security); nothing here is a cipher
 * of its own. Not exported; not API.
 */
package dev.tip.core.internal.crypto;
