package dev.tip.gui;

import dev.tip.audio.AudioDevice;
import dev.tip.audio.AudioDevices;
import dev.tip.gui.CallState.Member;
import dev.tip.gui.CallState.Phase;
import java.awt.BorderLayout;
import java.awt.CardLayout;
import java.awt.Color;
import java.awt.Component;
import java.awt.Dimension;
import java.awt.FlowLayout;
import java.awt.Font;
import java.awt.Graphics;
import java.awt.Graphics2D;
import java.awt.GridBagConstraints;
import java.awt.GridBagLayout;
import java.awt.Insets;
import java.awt.KeyEventDispatcher;
import java.awt.KeyboardFocusManager;
import java.awt.RenderingHints;
import java.awt.event.ComponentAdapter;
import java.awt.event.ComponentEvent;
import java.awt.event.KeyEvent;
import java.awt.event.WindowAdapter;
import java.awt.event.WindowEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import javax.swing.BorderFactory;
import javax.swing.DefaultListCellRenderer;
import javax.swing.DefaultListModel;
import javax.swing.Icon;
import javax.swing.JButton;
import javax.swing.JComboBox;
import javax.swing.JComponent;
import javax.swing.JFileChooser;
import javax.swing.JFrame;
import javax.swing.JLabel;
import javax.swing.JList;
import javax.swing.JPanel;
import javax.swing.JProgressBar;
import javax.swing.JScrollPane;
import javax.swing.JTextField;
import javax.swing.JToggleButton;
import javax.swing.ListSelectionModel;
import javax.swing.SwingUtilities;
import javax.swing.UIManager;
import javax.swing.WindowConstants;

/**
 * The window: a thin view of a {@link Presenter}. It draws each {@link CallState} (the connect
 * view or the call view) and turns clicks and keys into the presenter's actions; it decides
 * nothing itself. Every component a test needs has a name ({@link Component#getName()}).
 * Confined to the event dispatch thread; states from the presenter are handed over to it.
 */
public final class MainWindow extends JFrame {
    private static final long serialVersionUID = 1L;
    private static final Color ERROR = new Color(0xC62828);
    private static final Color SPEAKING = new Color(0x2E7D32);
    private static final String WAV_ITEM = "WAV file…";

    private final transient Presenter presenter;
    private final CardLayout cards = new CardLayout();
    private final JPanel content = new JPanel(cards);

    // connect view
    private final JTextField server = new JTextField(22);
    private final JTextField nick = new JTextField(22);
    private final JTextField room = new JTextField(22);
    private final JLabel serverError = errorLabel("serverError");
    private final JLabel nickError = errorLabel("nickError");
    private final JLabel message = new JLabel(" ");
    private final JButton connect = new JButton("Connect");

    // call view
    private final DefaultListModel<Member> rosterModel = new DefaultListModel<>();
    private final JList<Member> roster = new JList<>(rosterModel);
    private final javax.swing.JSlider volume = new javax.swing.JSlider(0, 200, 100);
    private final JLabel volumeLabel = new JLabel("Volume (select someone):");
    private final JToggleButton mute = new JToggleButton("Mute");
    private final JComboBox<KeyChoice> pttKey = new JComboBox<>(KeyChoice.ALL.toArray(new KeyChoice[0]));
    private final JComboBox<Object> input = new JComboBox<>();
    private final JComboBox<Object> output = new JComboBox<>();
    private final JProgressBar level = new JProgressBar(0, 100);
    private final JLabel statistics = new JLabel(" ");
    private final JLabel audioNote = new JLabel(" ");
    private final JLabel talkHint = new JLabel(" ");
    private final JButton disconnect = new JButton("Disconnect");

    private transient CallState shown;
    private boolean updating;

    /**
     * Builds the window (not yet visible) and starts drawing the presenter's states.
     *
     * @param presenter the logic
     * @param exitOnClose true to end the program when the window closes (the application), false
     *     to dispose it only (tests)
     */
    public MainWindow(Presenter presenter, boolean exitOnClose) {
        super("TIP");
        this.presenter = Objects.requireNonNull(presenter, "presenter");
        setName("tip-gui");
        setDefaultCloseOperation(exitOnClose ? WindowConstants.EXIT_ON_CLOSE : WindowConstants.DISPOSE_ON_CLOSE);
        content.add(connectView(), Phase.CONNECT.name());
        content.add(callView(), Phase.CALL.name());
        setContentPane(content);
        int[] size = presenter.preferences().windowSize(560, 460);
        setSize(size[0], size[1]);
        setMinimumSize(new Dimension(440, 360));
        setLocationByPlatform(true);
        addComponentListener(new ComponentAdapter() {
            @Override
            public void componentResized(ComponentEvent e) {
                presenter.preferences().setWindowSize(getWidth(), getHeight());
            }
        });
        addWindowListener(new WindowAdapter() {
            @Override
            public void windowClosed(WindowEvent e) {
                presenter.close();
            }

            @Override
            public void windowClosing(WindowEvent e) {
                presenter.close();
            }
        });
        installPushToTalk();
        render(presenter.state());
        presenter.addListener(s -> SwingUtilities.invokeLater(() -> render(s)));
    }

    // ------------------------------------------------------------------ connect view

    private JComponent connectView() {
        JPanel form = new JPanel(new GridBagLayout());
        form.setBorder(BorderFactory.createEmptyBorder(24, 24, 24, 24));
        JLabel title = new JLabel("Join a TIP room");
        title.setFont(title.getFont().deriveFont(Font.BOLD, title.getFont().getSize2D() * 1.5f));
        GridBagConstraints c = new GridBagConstraints();
        c.gridx = 0;
        c.gridy = 0;
        c.gridwidth = 2;
        c.anchor = GridBagConstraints.WEST;
        c.insets = new Insets(0, 0, 16, 0);
        form.add(title, c);
        server.setName("server");
        nick.setName("nick");
        room.setName("room");
        room.setToolTipText("TIP servers have one room today; the name is kept for servers with rooms");
        int row = 1;
        row = field(form, row, "Server:", 'S', server, serverError, "HOST:PORT, for example 127.0.0.1:9999");
        row = field(form, row, "Nickname:", 'N', nick, nickError, "the name the room shows, up to 19 characters");
        row = field(form, row, "Room:", 'R', room, null, "optional; TIP servers have one room");
        connect.setName("connect");
        connect.setMnemonic('C');
        connect.addActionListener(e -> presenter.connect(server.getText(), nick.getText(), room.getText()));
        c = new GridBagConstraints();
        c.gridx = 1;
        c.gridy = row++;
        c.anchor = GridBagConstraints.WEST;
        c.insets = new Insets(12, 0, 8, 0);
        form.add(connect, c);
        message.setName("message");
        c = new GridBagConstraints();
        c.gridx = 0;
        c.gridy = row;
        c.gridwidth = 2;
        c.anchor = GridBagConstraints.WEST;
        c.weighty = 1;
        c.fill = GridBagConstraints.HORIZONTAL;
        form.add(message, c);
        return form;
    }

    private static int field(
            JPanel form, int row, String label, char mnemonic, JTextField field, JLabel error, String hint) {
        JLabel l = new JLabel(label);
        l.setDisplayedMnemonic(mnemonic);
        l.setLabelFor(field);
        field.putClientProperty("JTextField.placeholderText", hint);
        GridBagConstraints c = new GridBagConstraints();
        c.gridx = 0;
        c.gridy = row;
        c.anchor = GridBagConstraints.WEST;
        c.insets = new Insets(4, 0, 0, 12);
        form.add(l, c);
        c = new GridBagConstraints();
        c.gridx = 1;
        c.gridy = row;
        c.fill = GridBagConstraints.HORIZONTAL;
        c.weightx = 1;
        c.insets = new Insets(4, 0, 0, 0);
        form.add(field, c);
        if (error != null) {
            c = new GridBagConstraints();
            c.gridx = 1;
            c.gridy = row + 1;
            c.fill = GridBagConstraints.HORIZONTAL;
            c.anchor = GridBagConstraints.WEST;
            form.add(error, c);
            error.setLabelFor(field);
        }
        return row + 2;
    }

    private static JLabel errorLabel(String name) {
        JLabel l = new JLabel(" ");
        l.setName(name);
        l.setForeground(ERROR);
        return l;
    }

    // ------------------------------------------------------------------ call view

    private JComponent callView() {
        JPanel view = new JPanel(new BorderLayout(12, 12));
        view.setBorder(BorderFactory.createEmptyBorder(16, 16, 16, 16));

        roster.setName("roster");
        roster.setSelectionMode(ListSelectionModel.SINGLE_SELECTION);
        roster.setCellRenderer(new MemberRenderer());
        roster.getAccessibleContext().setAccessibleName("Who is in the room");
        JLabel rosterLabel = new JLabel("In the room:");
        rosterLabel.setDisplayedMnemonic('W');
        rosterLabel.setLabelFor(roster);
        JPanel left = new JPanel(new BorderLayout(0, 6));
        left.add(rosterLabel, BorderLayout.NORTH);
        left.add(new JScrollPane(roster), BorderLayout.CENTER);
        // the volume of the member selected in the roster (not one's own)
        volume.setName("volume");
        volume.setEnabled(false);
        volume.setMajorTickSpacing(50);
        volume.setPaintTicks(true);
        volume.getAccessibleContext().setAccessibleName("Volume of the selected member");
        volume.addChangeListener(e -> {
            Member m = roster.getSelectedValue();
            if (!updating && m != null && !m.self()) {
                presenter.setVolume(m.id(), volume.getValue() / 100.0);
            }
        });
        roster.addListSelectionListener(e -> {
            Member m = roster.getSelectedValue();
            boolean other = m != null && !m.self();
            volume.setEnabled(other);
            volumeLabel.setText(other ? "Volume of " + m.name() + ":" : "Volume (select someone):");
            if (other) {
                boolean was = updating;
                updating = true;
                volume.setValue((int) Math.round(presenter.volume(m.id()) * 100));
                updating = was;
            }
        });
        volumeLabel.setDisplayedMnemonic('V');
        volumeLabel.setLabelFor(volume);
        JPanel volumePanel = new JPanel(new BorderLayout(0, 2));
        volumePanel.add(volumeLabel, BorderLayout.NORTH);
        volumePanel.add(volume, BorderLayout.CENTER);
        left.add(volumePanel, BorderLayout.SOUTH);
        left.setPreferredSize(new Dimension(200, 200));
        view.add(left, BorderLayout.WEST);

        JPanel controls = new JPanel(new GridBagLayout());
        int row = 0;
        mute.setName("mute");
        mute.setMnemonic('M');
        mute.addActionListener(e -> presenter.setMuted(mute.isSelected()));
        row = control(controls, row, null, ' ', mute);
        pttKey.setName("pttKey");
        pttKey.addActionListener(e -> {
            if (!updating) {
                presenter.setPushToTalkKey(((KeyChoice) pttKey.getSelectedItem()).code());
            }
        });
        row = control(controls, row, "Push to talk:", 'P', pttKey);
        talkHint.setName("talkHint");
        row = control(controls, row, null, ' ', talkHint);
        input.setName("input");
        input.setRenderer(new ChoiceRenderer());
        input.addActionListener(e -> inputChosen());
        row = control(controls, row, "Input:", 'I', input);
        output.setName("output");
        output.setRenderer(new ChoiceRenderer());
        output.addActionListener(e -> {
            if (!updating && output.getSelectedItem() instanceof OutputChoice o) {
                presenter.setOutput(o);
            }
        });
        row = control(controls, row, "Output:", 'O', output);
        level.setName("level");
        level.setStringPainted(false);
        level.getAccessibleContext().setAccessibleName("Input level");
        row = control(controls, row, "Level:", 'L', level);
        audioNote.setName("audioNote");
        audioNote.setForeground(ERROR);
        row = control(controls, row, null, ' ', audioNote);
        GridBagConstraints filler = new GridBagConstraints();
        filler.gridy = row;
        filler.weighty = 1;
        controls.add(new JLabel(), filler);
        view.add(controls, BorderLayout.CENTER);

        JPanel bottom = new JPanel(new BorderLayout(12, 0));
        statistics.setName("statistics");
        statistics.setFont(statistics.getFont().deriveFont(statistics.getFont().getSize2D() * 0.9f));
        bottom.add(statistics, BorderLayout.CENTER);
        disconnect.setName("disconnect");
        disconnect.setMnemonic('D');
        disconnect.addActionListener(e -> presenter.disconnect());
        JPanel buttons = new JPanel(new FlowLayout(FlowLayout.RIGHT, 0, 0));
        buttons.add(disconnect);
        bottom.add(buttons, BorderLayout.EAST);
        view.add(bottom, BorderLayout.SOUTH);
        return view;
    }

    private static int control(JPanel panel, int row, String label, char mnemonic, JComponent component) {
        GridBagConstraints c = new GridBagConstraints();
        c.gridy = row;
        c.anchor = GridBagConstraints.WEST;
        c.insets = new Insets(4, 0, 4, 8);
        if (label != null) {
            JLabel l = new JLabel(label);
            l.setDisplayedMnemonic(mnemonic);
            l.setLabelFor(component);
            c.gridx = 0;
            panel.add(l, c);
        }
        c = new GridBagConstraints();
        c.gridx = 1;
        c.gridy = row;
        c.anchor = GridBagConstraints.WEST;
        c.fill = GridBagConstraints.HORIZONTAL;
        c.weightx = 1;
        c.insets = new Insets(4, 0, 4, 0);
        panel.add(component, c);
        return row + 1;
    }

    private void inputChosen() {
        if (updating) {
            return;
        }
        Object item = input.getSelectedItem();
        if (item instanceof InputChoice choice) {
            presenter.setInput(choice);
        } else if (WAV_ITEM.equals(item)) {
            JFileChooser chooser = new JFileChooser();
            chooser.setDialogTitle("A WAV file to send");
            if (chooser.showOpenDialog(this) == JFileChooser.APPROVE_OPTION) {
                presenter.setInput(InputChoice.wav(chooser.getSelectedFile().toPath()));
            } else {
                fillDevices(presenter.state()); // back to what was chosen
            }
        }
    }

    /** Fills the device boxes from Java Sound's devices, selecting the state's choices. */
    private void fillDevices(CallState s) {
        updating = true;
        try {
            List<Object> inputs = new ArrayList<>();
            inputs.add(InputChoice.DEFAULT_MICROPHONE);
            for (AudioDevice d : AudioDevices.capture()) {
                inputs.add(InputChoice.microphone(d.name()));
            }
            inputs.add(InputChoice.SILENCE);
            inputs.add(InputChoice.tone(440));
            if (!inputs.contains(s.input())) {
                inputs.add(s.input());
            }
            inputs.add(WAV_ITEM);
            input.removeAllItems();
            inputs.forEach(input::addItem);
            input.setSelectedItem(s.input());
            List<Object> outputs = new ArrayList<>();
            outputs.add(OutputChoice.DEFAULT_SPEAKER);
            for (AudioDevice d : AudioDevices.playback()) {
                outputs.add(OutputChoice.speaker(d.name()));
            }
            outputs.add(OutputChoice.NONE);
            if (!outputs.contains(s.output())) {
                outputs.add(s.output());
            }
            output.removeAllItems();
            outputs.forEach(output::addItem);
            output.setSelectedItem(s.output());
        } finally {
            updating = false;
        }
    }

    private void installPushToTalk() {
        KeyEventDispatcher dispatcher = e -> {
            CallState s = shown;
            if (s == null
                    || s.phase() != Phase.CALL
                    || s.pushToTalkKey() == 0
                    || e.getKeyCode() != s.pushToTalkKey()
                    || !isActive()) {
                return false;
            }
            if (e.getID() == KeyEvent.KEY_PRESSED) {
                presenter.pushToTalkPressed();
            } else if (e.getID() == KeyEvent.KEY_RELEASED) {
                presenter.pushToTalkReleased();
            }
            return true; // the key talks; it does not press the focused button
        };
        KeyboardFocusManager.getCurrentKeyboardFocusManager().addKeyEventDispatcher(dispatcher);
        addWindowListener(new WindowAdapter() {
            @Override
            public void windowClosed(WindowEvent e) {
                KeyboardFocusManager.getCurrentKeyboardFocusManager().removeKeyEventDispatcher(dispatcher);
            }
        });
    }

    // ------------------------------------------------------------------ drawing

    private void render(CallState s) {
        CallState before = shown;
        shown = s;
        boolean connectView = s.phase() != Phase.CALL;
        if (before == null || !Objects.equals(before.server(), s.server())) {
            server.setText(s.server());
        }
        if (before == null || !Objects.equals(before.nick(), s.nick())) {
            nick.setText(s.nick());
        }
        if (before == null || !Objects.equals(before.room(), s.room())) {
            room.setText(s.room());
        }
        serverError.setText(orSpace(s.serverError()));
        nickError.setText(orSpace(s.nickError()));
        message.setText(s.phase() == Phase.CONNECTING ? "Joining " + s.server() + " …" : orSpace(s.message()));
        boolean editable = s.phase() == Phase.CONNECT;
        server.setEnabled(editable);
        nick.setEnabled(editable);
        room.setEnabled(editable);
        connect.setEnabled(editable);
        connect.setText(s.phase() == Phase.CONNECTING ? "Connecting…" : "Connect");

        if (before == null || before.phase() != s.phase()) {
            cards.show(content, connectView ? Phase.CONNECT.name() : Phase.CALL.name());
            if (connectView) {
                getRootPane().setDefaultButton(connect);
                if (s.serverError() != null) {
                    server.requestFocusInWindow();
                } else {
                    nick.requestFocusInWindow();
                }
            } else {
                getRootPane().setDefaultButton(null);
                fillDevices(s);
                mute.requestFocusInWindow();
            }
            setTitle(connectView ? "TIP" : "TIP — " + s.nick() + " at " + s.server());
        }
        if (s.serverError() != null && (before == null || before.serverError() == null)) {
            server.requestFocusInWindow();
        } else if (s.nickError() != null && (before == null || before.nickError() == null)) {
            nick.requestFocusInWindow();
        }

        if (before == null || !before.roster().equals(s.roster())) {
            Member selected = roster.getSelectedValue();
            rosterModel.clear();
            s.roster().forEach(rosterModel::addElement);
            if (selected != null) {
                for (Member m : s.roster()) {
                    if (m.id() == selected.id() && m.name().equals(selected.name())) {
                        roster.setSelectedValue(m, false);
                    }
                }
            }
        }
        mute.setSelected(s.muted());
        mute.setText(s.muted() ? "Unmute" : "Mute");
        updating = true;
        try {
            pttKey.setSelectedItem(KeyChoice.of(s.pushToTalkKey()));
        } finally {
            updating = false;
        }
        talkHint.setText(
                s.pushToTalkKey() == 0
                        ? (s.muted() ? "Muted: the room does not hear you." : "The room hears you.")
                        : s.sending()
                                ? "Talking…"
                                : "Hold " + KeyChoice.of(s.pushToTalkKey()) + " to talk"
                                        + (s.muted() ? " (and unmute)." : "."));
        level.setValue((int) Math.round(Math.min(1, s.level()) * 100));
        level.setForeground(s.sending() ? SPEAKING : UIManager.getColor("ProgressBar.foreground"));
        statistics.setText(
                s.statistics().isEmpty() ? " " : "<html>" + s.statistics().replaceFirst(" · ", "<br>") + "</html>");
        audioNote.setText(s.audioNote() == null ? " " : "<html>" + s.audioNote() + "</html>");
    }

    private static String orSpace(String s) {
        return s == null ? " " : s;
    }

    /** A push-to-talk key: a {@link KeyEvent} code and its name; code 0 is "Off". */
    record KeyChoice(int code) {
        static final List<KeyChoice> ALL;

        static {
            List<KeyChoice> keys = new ArrayList<>();
            keys.add(new KeyChoice(0));
            for (int code : new int[] {
                KeyEvent.VK_SPACE, KeyEvent.VK_CONTROL, KeyEvent.VK_SHIFT, KeyEvent.VK_ALT, KeyEvent.VK_CAPS_LOCK
            }) {
                keys.add(new KeyChoice(code));
            }
            for (int f = KeyEvent.VK_F1; f <= KeyEvent.VK_F12; f++) {
                keys.add(new KeyChoice(f));
            }
            ALL = List.copyOf(keys);
        }

        static KeyChoice of(int code) {
            return new KeyChoice(code);
        }

        @Override
        public String toString() {
            return code == 0 ? "Off (always on)" : KeyEvent.getKeyText(code);
        }
    }

    /** Draws a roster entry: a dot that lights up while the member speaks, the name, "(you)". */
    private static final class MemberRenderer extends DefaultListCellRenderer {
        private static final long serialVersionUID = 1L;

        @Override
        public Component getListCellRendererComponent(
                JList<?> list, Object value, int index, boolean selected, boolean focused) {
            Member m = (Member) value;
            super.getListCellRendererComponent(
                    list,
                    m.name() + (m.self() ? " (you)" : "") + (m.speaking() ? " — speaking" : ""),
                    index,
                    selected,
                    focused);
            setIcon(new Dot(m.speaking()));
            setIconTextGap(8);
            return this;
        }
    }

    /** The speaking indicator: a filled green dot, or a grey ring. */
    private record Dot(boolean on) implements Icon {
        @Override
        public void paintIcon(Component c, Graphics g, int x, int y) {
            Graphics2D g2 = (Graphics2D) g.create();
            g2.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            if (on) {
                g2.setColor(SPEAKING);
                g2.fillOval(x, y, 10, 10);
            } else {
                g2.setColor(Color.GRAY);
                g2.drawOval(x, y, 9, 9);
            }
            g2.dispose();
        }

        @Override
        public int getIconWidth() {
            return 10;
        }

        @Override
        public int getIconHeight() {
            return 10;
        }
    }

    /** Draws device choices by their labels. */
    private static final class ChoiceRenderer extends DefaultListCellRenderer {
        private static final long serialVersionUID = 1L;

        @Override
        public Component getListCellRendererComponent(
                JList<?> list, Object value, int index, boolean selected, boolean focused) {
            Object text =
                    value instanceof InputChoice i ? i.label() : value instanceof OutputChoice o ? o.label() : value;
            return super.getListCellRendererComponent(list, text, index, selected, focused);
        }
    }
}
