package dev.tip.core.internal.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ResumeProofTest {
    private static final byte[] SECRET = new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};

    @Test
    void aProofVerifiesForItsSessionAndAttemptOnly() {
        String p = ResumeProof.proof(SECRET, 3, 7);
        assertThat(p).startsWith("7:").hasSize(2 + 64);
        assertThat(ResumeProof.attempt(p)).isEqualTo(7);
        assertThat(ResumeProof.verify(SECRET, 3, p)).isTrue();
        assertThat(ResumeProof.verify(SECRET, 4, p)).as("another session id").isFalse();
        assertThat(ResumeProof.verify(SECRET, 3, "8" + p.substring(1)))
                .as("another attempt")
                .isFalse();
        byte[] other = SECRET.clone();
        other[0] ^= 1;
        assertThat(ResumeProof.verify(other, 3, p)).as("another secret").isFalse();
    }

    @Test
    void malformedProofsAreRefused() {
        assertThat(ResumeProof.attempt("")).isEqualTo(-1);
        assertThat(ResumeProof.attempt("0:" + "0".repeat(64))).isEqualTo(-1);
        assertThat(ResumeProof.attempt("x:" + "0".repeat(64))).isEqualTo(-1);
        assertThat(ResumeProof.attempt("1:" + "0".repeat(63))).isEqualTo(-1);
        assertThat(ResumeProof.verify(SECRET, 1, "1:" + "g".repeat(64))).isFalse();
    }

    @Test
    void bothSidesDeriveTheSameSecretFromTheExchange() {
        KeyExchange client = KeyExchange.generate();
        KeyExchange server = KeyExchange.generate();
        byte[] c = ResumeProof.deriveSecret(
                client.sharedSecret(server.publicKey()), client.publicKey(), server.publicKey());
        byte[] s = ResumeProof.deriveSecret(
                server.sharedSecret(client.publicKey()), client.publicKey(), server.publicKey());
        assertThat(c).hasSize(ResumeProof.SECRET_LENGTH).isEqualTo(s);
        SessionKeys keys =
                SessionKeys.derive(client.sharedSecret(server.publicKey()), client.publicKey(), server.publicKey());
        assertThat(c).isNotEqualTo(java.util.Arrays.copyOf(keys.clientToServerKey(), 16));
    }
}
