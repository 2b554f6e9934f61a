package dev.tip.server.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The relay's member table, without sockets. */
class MemberTableTest {

    private final List<String> bindings = new ArrayList<>();
    private final MemberTable table = new MemberTable(8, new MemberTable.Bindings() {
        @Override
        public void bound(Member m) {
            bindings.add("bound " + m.id + " " + m.address.getPort());
        }

        @Override
        public void unbound(Member m) {
            bindings.add("unbound " + m.id);
        }
    });

    private static InetSocketAddress address(int port) {
        return new InetSocketAddress("127.0.0.1", port);
    }

    @Test
    void membersAreFoundByIdAndByVoiceAddressAndRemovedInAnyOrder() {
        table.add(Member.original(0, address(5000)));
        table.add(Member.original(1, address(5001)));
        table.add(Member.tip2(2, 7));
        assertThat(table.size()).isEqualTo(3);
        assertThat(table.byAddress(address(5001)).id).isEqualTo(1);
        assertThat(table.byId(2).address).isNull();
        assertThat(table.byId(-1)).isNull();
        assertThat(table.byId(8)).isNull();

        table.remove(0);
        assertThat(table.size()).isEqualTo(2);
        assertThat(List.of(table.get(0).id, table.get(1).id)).containsExactlyInAnyOrder(1, 2);
        assertThat(table.byAddress(address(5000))).isNull();
        assertThat(bindings).containsExactly("bound 0 5000", "bound 1 5001", "unbound 0");
    }

    @Test
    void theLastSenderIsRememberedUntilAnyBindingChanges() {
        InetSocketAddress from = address(5000);
        table.add(Member.original(0, from));
        assertThat(table.byAddress(from).id).isZero();
        table.remove(0);
        assertThat(table.byAddress(from)).isNull();
    }

    @Test
    void bindingMovesAMemberAndTakesTheAddressFromWhoeverHeldIt() {
        table.add(Member.original(0, address(5000)));
        Member t = Member.tip2(1, 9);
        table.add(t);
        bindings.clear();

        assertThat(table.bind(t, address(5001))).isTrue();
        assertThat(table.bind(t, address(5001))).as("same address").isFalse();
        assertThat(table.bind(t, address(5000))).isTrue();
        assertThat(table.byAddress(address(5000))).isSameAs(t);
        assertThat(table.byId(0).address).as("displaced").isNull();
        assertThat(table.byAddress(address(5001))).isNull();
        assertThat(bindings).containsExactly("bound 1 5001", "unbound 1", "unbound 0", "bound 1 5000");
    }

    @Test
    void addingAnIdAgainReplacesTheEarlierMember() {
        table.add(Member.original(3, address(5003)));
        table.add(Member.tip2(3, 1));
        assertThat(table.size()).isEqualTo(1);
        assertThat(table.byId(3).tip2).isTrue();
        assertThat(table.byAddress(address(5003))).isNull();
        assertThat(bindings).containsExactly("bound 3 5003", "unbound 3");
    }
}
