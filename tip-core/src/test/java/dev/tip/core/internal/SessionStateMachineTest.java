package dev.tip.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tip.core.DisconnectReason;
import dev.tip.core.SessionState;
import dev.tip.core.SessionStateException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SessionStateMachineTest {

    /**
     * The expected table, written out independently of the implementation: one row per state, one
     * column per event in {@link SessionEvent} order; "-" is illegal, "=" is ignored (stay).
     */
    private static final String[] TABLE = {
        //            CONNECT    CONNECTED SESSION  CLOSE    DONE    REFUSED TIMEOUT S_DISC  S_CLOSE LOST    PROTO
        // FULL    INTERRUPTED  RESUMED  RESUME_REFUSED
        "DISCONNECTED CONNECTING -         -        CLOSED   -       -       -       -       -       -       -       -"
                + "       -             -        -",
        "CONNECTING   -          JOINING   -        CLOSING  -       FAILED  FAILED  -       -       -       -       -"
                + "       -             -        -",
        "JOINING      -          -         IN_ROOM  CLOSING  -       -       FAILED  FAILED  FAILED  FAILED  FAILED  FAILED"
                + "  -             -        -",
        "IN_ROOM      -          -         =        CLOSING  -       -       FAILED  FAILED  FAILED  FAILED  FAILED  FAILED"
                + "  RECONNECTING  -        -",
        "RECONNECTING -          -         =        CLOSING  -       =       FAILED  FAILED  FAILED  FAILED  FAILED  FAILED"
                + "  =             IN_ROOM  FAILED",
        "CLOSING      -          =         =        =        CLOSED  =       =       =       =       =       =       ="
                + "       =             =        =",
        "CLOSED       -          =         =        =        -       =       =       =       =       =       =       ="
                + "       =             =        =",
        "FAILED       -          =         =        =        -       =       =       =       =       =       =       ="
                + "       =             =        =",
    };

    /** How to reach each state from a new machine. */
    private static final Map<SessionState, List<SessionEvent>> PATHS = new EnumMap<>(Map.of(
            SessionState.DISCONNECTED, List.of(),
            SessionState.CONNECTING, List.of(SessionEvent.CONNECT),
            SessionState.JOINING, List.of(SessionEvent.CONNECT, SessionEvent.CONNECTED),
            SessionState.IN_ROOM, List.of(SessionEvent.CONNECT, SessionEvent.CONNECTED, SessionEvent.SESSION_RECEIVED),
            SessionState.RECONNECTING,
                    List.of(
                            SessionEvent.CONNECT,
                            SessionEvent.CONNECTED,
                            SessionEvent.SESSION_RECEIVED,
                            SessionEvent.INTERRUPTED),
            SessionState.CLOSING, List.of(SessionEvent.CONNECT, SessionEvent.CLOSE),
            SessionState.CLOSED, List.of(SessionEvent.CLOSE),
            SessionState.FAILED, List.of(SessionEvent.CONNECT, SessionEvent.CONNECT_REFUSED)));

    static Stream<Arguments> everyStateAndEvent() {
        List<Arguments> all = new ArrayList<>();
        for (String row : TABLE) {
            String[] cells = row.trim().split("\\s+");
            SessionState state = SessionState.valueOf(cells[0]);
            SessionEvent[] events = SessionEvent.values();
            assertThat(cells).as("row %s has one cell per event", state).hasSize(events.length + 1);
            for (int i = 0; i < events.length; i++) {
                String cell = cells[i + 1];
                String expected = cell.equals("=") ? state.name() : cell;
                all.add(Arguments.of(state, events[i], expected));
            }
        }
        return all.stream();
    }

    @Test
    void theTableCoversEveryStateAndEveryEvent() {
        assertThat(TABLE).hasSize(SessionState.values().length);
        assertThat(everyStateAndEvent().count())
                .isEqualTo((long) SessionState.values().length * SessionEvent.values().length);
        assertThat(PATHS.keySet()).containsExactlyInAnyOrder(SessionState.values());
    }

    @ParameterizedTest(name = "{0} + {1} -> {2}")
    @MethodSource("everyStateAndEvent")
    void everyEventInEveryStateLeadsWhereTheTableSays(SessionState state, SessionEvent event, String expected) {
        SessionStateMachine machine = machineIn(state);
        if (expected.equals("-")) {
            assertThatThrownBy(() -> machine.fire(event))
                    .isInstanceOf(SessionStateException.class)
                    .hasMessageContaining(state.name())
                    .satisfies(
                            e -> assertThat(((SessionStateException) e).state()).isEqualTo(state));
            assertThat(machine.state()).as("an illegal event changes nothing").isEqualTo(state);
            assertThat(SessionStateMachine.next(state, event)).isNull();
        } else {
            SessionStateMachine.Transition t = machine.fire(event);
            assertThat(t.from()).isEqualTo(state);
            assertThat(t.to()).isEqualTo(SessionState.valueOf(expected));
            assertThat(machine.state()).isEqualTo(SessionState.valueOf(expected));
            assertThat(t.changed()).isEqualTo(!expected.equals(state.name()));
            assertThat(t.reason() != null)
                    .as("a reason exactly when the session just ended")
                    .isEqualTo(t.changed() && t.to().isTerminal());
        }
    }

    @Test
    void failuresCarryTheReasonThatFitsTheStateTheyHappenIn() {
        assertThat(reasonOf(SessionState.CONNECTING, SessionEvent.CONNECT_REFUSED))
                .isEqualTo(DisconnectReason.REFUSED);
        assertThat(reasonOf(SessionState.CONNECTING, SessionEvent.TIMED_OUT)).isEqualTo(DisconnectReason.TIMED_OUT);
        assertThat(reasonOf(SessionState.JOINING, SessionEvent.TIMED_OUT)).isEqualTo(DisconnectReason.TIMED_OUT);
        assertThat(reasonOf(SessionState.IN_ROOM, SessionEvent.TIMED_OUT)).isEqualTo(DisconnectReason.TIMED_OUT);
        assertThat(reasonOf(SessionState.JOINING, SessionEvent.SERVER_DISCONNECT))
                .isEqualTo(DisconnectReason.NICKNAME_REJECTED);
        assertThat(reasonOf(SessionState.IN_ROOM, SessionEvent.SERVER_DISCONNECT))
                .isEqualTo(DisconnectReason.DISCONNECTED_BY_SERVER);
        assertThat(reasonOf(SessionState.JOINING, SessionEvent.SERVER_CLOSE)).isEqualTo(DisconnectReason.SERVER_CLOSED);
        assertThat(reasonOf(SessionState.JOINING, SessionEvent.SERVER_FULL)).isEqualTo(DisconnectReason.SERVER_FULL);
        assertThat(reasonOf(SessionState.IN_ROOM, SessionEvent.SERVER_FULL))
                .isEqualTo(DisconnectReason.DISCONNECTED_BY_SERVER);
        assertThat(reasonOf(SessionState.IN_ROOM, SessionEvent.SERVER_CLOSE)).isEqualTo(DisconnectReason.SERVER_CLOSED);
        assertThat(reasonOf(SessionState.JOINING, SessionEvent.CONNECTION_LOST))
                .isEqualTo(DisconnectReason.CONNECTION_LOST);
        assertThat(reasonOf(SessionState.IN_ROOM, SessionEvent.CONNECTION_LOST))
                .isEqualTo(DisconnectReason.CONNECTION_LOST);
        assertThat(reasonOf(SessionState.IN_ROOM, SessionEvent.PROTOCOL_VIOLATION))
                .isEqualTo(DisconnectReason.PROTOCOL_ERROR);
        assertThat(reasonOf(SessionState.RECONNECTING, SessionEvent.RESUME_REFUSED))
                .isEqualTo(DisconnectReason.RESUME_REFUSED);
        assertThat(reasonOf(SessionState.RECONNECTING, SessionEvent.CONNECTION_LOST))
                .isEqualTo(DisconnectReason.CONNECTION_LOST);
        assertThat(reasonOf(SessionState.RECONNECTING, SessionEvent.SERVER_DISCONNECT))
                .isEqualTo(DisconnectReason.DISCONNECTED_BY_SERVER);
        assertThat(reasonOf(SessionState.CLOSING, SessionEvent.CLOSE_DONE)).isEqualTo(DisconnectReason.QUIT);
        assertThat(reasonOf(SessionState.DISCONNECTED, SessionEvent.CLOSE)).isEqualTo(DisconnectReason.QUIT);
    }

    @Test
    void aLateEventAfterTheEndKeepsTheFirstReason() {
        SessionStateMachine machine = machineIn(SessionState.IN_ROOM);
        machine.fire(SessionEvent.SERVER_CLOSE);
        machine.fire(SessionEvent.CONNECTION_LOST);
        machine.fire(SessionEvent.CLOSE);
        assertThat(machine.state()).isEqualTo(SessionState.FAILED);
        assertThat(machine.endReason()).isEqualTo(DisconnectReason.SERVER_CLOSED);
    }

    @Test
    void theWholeHappyPathVisitsEveryNonFailedState() {
        SessionStateMachine machine = new SessionStateMachine();
        List<SessionState> seen = new ArrayList<>(List.of(machine.state()));
        for (SessionEvent e : List.of(
                SessionEvent.CONNECT,
                SessionEvent.CONNECTED,
                SessionEvent.SESSION_RECEIVED,
                SessionEvent.CLOSE,
                SessionEvent.CLOSE_DONE)) {
            seen.add(machine.fire(e).to());
        }
        assertThat(seen)
                .containsExactly(
                        SessionState.DISCONNECTED,
                        SessionState.CONNECTING,
                        SessionState.JOINING,
                        SessionState.IN_ROOM,
                        SessionState.CLOSING,
                        SessionState.CLOSED);
        assertThat(machine.endReason()).isEqualTo(DisconnectReason.QUIT);
    }

    private static DisconnectReason reasonOf(SessionState state, SessionEvent event) {
        SessionStateMachine machine = machineIn(state);
        SessionStateMachine.Transition t = machine.fire(event);
        assertThat(t.reason()).isEqualTo(machine.endReason());
        return t.reason();
    }

    private static SessionStateMachine machineIn(SessionState state) {
        SessionStateMachine machine = new SessionStateMachine();
        for (SessionEvent e : PATHS.get(state)) {
            machine.fire(e);
        }
        assertThat(machine.state()).isEqualTo(state);
        return machine;
    }
}
