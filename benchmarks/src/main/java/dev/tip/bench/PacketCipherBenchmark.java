package dev.tip.bench;

import dev.tip.core.internal.crypto.PacketCipher;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Sealing then opening one TIP/2 voice datagram with AES-128-GCM (the header as associated data,
 * the payload in place), at an Opus packet's size and at a PCM datagram's. Baseline: copying the
 * same payload once each way, the least a relay or client does with a datagram's bytes.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
public class PacketCipherBenchmark {

    private static final int HEADER = 10;

    /** Payload bytes: 60 (Opus at 24 kbit/s, 20 ms) or 1024 (PCM). */
    @Param({"60", "1024"})
    public int payload;

    private ByteBuffer buffer;
    private ByteBuffer copy;
    private PacketCipher sealer;
    private PacketCipher opener;
    private long packetNumber;

    /** Direct buffers, as the relay and the client's sockets use. */
    @Setup(Level.Trial)
    public void setUp() {
        buffer = ByteBuffer.allocateDirect(HEADER + payload + PacketCipher.TAG_LENGTH);
        copy = ByteBuffer.allocateDirect(HEADER + payload + PacketCipher.TAG_LENGTH);
        byte[] key = new byte[PacketCipher.KEY_LENGTH];
        byte[] iv = new byte[PacketCipher.IV_LENGTH];
        for (int i = 0; i < key.length; i++) {
            key[i] = (byte) (i + 1);
        }
        sealer = new PacketCipher(key, iv);
        opener = new PacketCipher(key, iv);
    }

    /**
     * Seals a datagram and opens it again.
     *
     * @return the opened payload length
     */
    @Benchmark
    public int sealOpen() {
        long pn = packetNumber++;
        int n = sealer.seal(buffer, 0, HEADER, payload, pn);
        return opener.open(buffer, 0, HEADER, n, pn);
    }

    /**
     * Copies the datagram there and back.
     *
     * @return a byte of it, so that the copy is not eliminated
     */
    @Benchmark
    public int copyBaseline() {
        buffer.clear().limit(HEADER + payload);
        copy.clear();
        copy.put(buffer);
        copy.flip();
        buffer.clear();
        buffer.put(copy);
        return buffer.get(HEADER);
    }
}
