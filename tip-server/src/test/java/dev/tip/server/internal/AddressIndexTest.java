package dev.tip.server.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class AddressIndexTest {

    private static Member member(int id) {
        return Member.original(id, null);
    }

    private static Member get(AddressIndex index, InetSocketAddress a) {
        return index.get(AddressIndex.hi(a.getAddress()), AddressIndex.lo(a.getAddress()), a.getPort());
    }

    private static void put(AddressIndex index, InetSocketAddress a, Member m) {
        index.put(AddressIndex.hi(a.getAddress()), AddressIndex.lo(a.getAddress()), a.getPort(), m);
    }

    private static void remove(AddressIndex index, InetSocketAddress a, Member m) {
        index.remove(AddressIndex.hi(a.getAddress()), AddressIndex.lo(a.getAddress()), a.getPort(), m);
    }

    @Test
    void anIpv4AddressIsKeyedAsItsIpv4MappedForm() throws UnknownHostException {
        InetAddress v4 = InetAddress.getByName("192.0.2.7");
        assertThat(AddressIndex.hi(v4)).isZero();
        assertThat(AddressIndex.lo(v4)).isEqualTo(0x0000_FFFF_C000_0207L);
        InetAddress v6 = InetAddress.getByName("2001:db8::1:2");
        assertThat(AddressIndex.hi(v6)).isEqualTo(0x2001_0DB8_0000_0000L);
        assertThat(AddressIndex.lo(v6)).isEqualTo(0x0000_0000_0001_0002L);
    }

    @Test
    void theSameAddressOnAnotherPortIsAnotherKey() throws UnknownHostException {
        AddressIndex index = new AddressIndex(4);
        InetAddress a = InetAddress.getByName("127.0.0.1");
        put(index, new InetSocketAddress(a, 5000), member(1));
        assertThat(get(index, new InetSocketAddress(a, 5000)).id).isEqualTo(1);
        assertThat(get(index, new InetSocketAddress(a, 5001))).isNull();
    }

    @Test
    void removeTakesAnAddressOnlyFromItsHolder() throws UnknownHostException {
        AddressIndex index = new AddressIndex(4);
        InetSocketAddress a = new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 5000);
        Member old = member(1);
        Member now = member(2);
        put(index, a, old);
        put(index, a, now);
        remove(index, a, old);
        assertThat(get(index, a)).isSameAs(now);
        remove(index, a, now);
        assertThat(get(index, a)).isNull();
        assertThat(index.size()).isZero();
    }

    @Test
    void aFullIndexRefusesMore() throws UnknownHostException {
        AddressIndex index = new AddressIndex(2);
        InetAddress a = InetAddress.getByName("127.0.0.1");
        int i = 0;
        // capacity is at least twice the entries asked for, and at most half full
        for (; i < 4; i++) {
            put(index, new InetSocketAddress(a, 1000 + i), member(i));
        }
        int port = 1000 + i;
        assertThatThrownBy(() -> put(index, new InetSocketAddress(a, port), member(9)))
                .isInstanceOf(IllegalStateException.class);
    }

    /**
     * Against a HashMap, through any sequence of puts and removes on a few colliding addresses
     * (few ports, two hosts): what the index finds is what the map holds.
     */
    @Property(tries = 300)
    void behavesLikeAMap(@ForAll @Size(max = 200) List<@IntRange(min = 0, max = 63) Integer> ops)
            throws UnknownHostException {
        AddressIndex index = new AddressIndex(16);
        Map<InetSocketAddress, Member> map = new HashMap<>();
        InetAddress[] hosts = {InetAddress.getByName("127.0.0.1"), InetAddress.getByName("::1")};
        Member[] members = new Member[8];
        for (int i = 0; i < members.length; i++) {
            members[i] = member(i);
        }
        for (int op : ops) {
            InetSocketAddress a = new InetSocketAddress(hosts[op & 1], 40000 + ((op >> 1) & 7));
            Member m = members[(op >> 4) & 3];
            if ((op & 32) == 0) {
                put(index, a, m);
                map.put(a, m);
            } else {
                remove(index, a, m);
                map.remove(a, m);
            }
            for (InetAddress h : hosts) {
                for (int p = 40000; p < 40008; p++) {
                    InetSocketAddress k = new InetSocketAddress(h, p);
                    assertThat(get(index, k)).isSameAs(map.get(k));
                }
            }
            assertThat(index.size()).isEqualTo(map.size());
        }
    }
}
