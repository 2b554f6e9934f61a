package dev.tip.core;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A listener that writes every event as a line and remembers which threads called it. */
final class EventLog implements SessionListener {
    final List<String> lines = new CopyOnWriteArrayList<>();
    final List<String> threads = new CopyOnWriteArrayList<>();

    private void add(String line) {
        threads.add(Thread.currentThread().getName());
        lines.add(line);
    }

    @Override
    public void stateChanged(SessionState oldState, SessionState newState) {
        add("state " + oldState + " -> " + newState);
    }

    @Override
    public void rosterChanged(List<User> roster) {
        add("users " + roster.stream().map(User::name).toList());
    }

    @Override
    public void sessionAssigned(int sessionId) {
        add("session " + sessionId);
    }

    @Override
    public void serverClosed() {
        add("serverClosed");
    }

    @Override
    public void disconnected(DisconnectReason reason, String detail) {
        add("disconnected " + reason + ": " + detail);
    }

    List<String> snapshot() {
        return new ArrayList<>(lines);
    }

    boolean has(String line) {
        return lines.contains(line);
    }

    boolean hasPrefix(String prefix) {
        return lines.stream().anyMatch(l -> l.startsWith(prefix));
    }

    List<String> states() {
        return lines.stream().filter(l -> l.startsWith("state ")).toList();
    }
}
