import java.awt.Component;
import java.awt.Container;
import java.awt.Rectangle;
import java.awt.Robot;
import java.awt.Window;
import java.awt.image.BufferedImage;
import java.io.File;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import javax.imageio.ImageIO;
import javax.swing.AbstractButton;
import javax.swing.JFrame;
import javax.swing.JSplitPane;
import javax.swing.JTabbedPane;
import javax.swing.JTable;
import javax.swing.JTree;
import javax.swing.SwingUtilities;
import javax.swing.text.JTextComponent;
import javax.swing.tree.TreeModel;
import javax.swing.tree.TreePath;

/**
 * Drives JConsole (started in this JVM) the way an operator would: connects to the agent's JMX connector with its
 * login, accepts the insecure-connection prompt (the connector is loopback-only and has no TLS), opens the renumber
 * MBeans and takes three screenshots with java.awt.Robot: the MBeans tree, changeAddress's described parameters,
 * and the notifications JConsole received during a change run by the renumber command. Run by
 * docs/jconsole/take-screenshots.sh under xvfb-run; a tool for the README's pictures, not a test.
 *
 * Arguments: JMX_URL USER PASSWORD OUTPUT_DIR CHANGE_COMMAND
 */
public final class JConsoleShots {

    private static final long WAIT_MILLIS = 60_000;
    /** The size of the virtual screen, in take-screenshots.sh. */
    private static final int WIDTH = 1400;
    private static final int HEIGHT = 1000;

    public static void main(String[] args) throws Exception {
        String url = args[0];
        String user = args[1];
        String password = args[2];
        File out = new File(args[3]);
        String change = args[4];

        Class.forName("sun.tools.jconsole.JConsole").getMethod("main", String[].class)
                .invoke(null, (Object) new String[] {"-interval=1"});
        AbstractButton remote = await("the New Connection dialog", () -> button("Remote Process:"));
        edt(() -> {
            remote.doClick();
            return null;
        });
        edt(() -> {
            List<JTextComponent> fields = all(JTextComponent.class, t -> t.isShowing() && t.isEditable());
            // In the dialog's order: the remote URL, the user name, the password.
            fields.get(fields.size() - 3).setText(url);
            fields.get(fields.size() - 2).setText(user);
            fields.get(fields.size() - 1).setText(password);
            return null;
        });
        click("Connect");
        click("Insecure connection");
        JTabbedPane tabs = await("the connection's tabs", () -> first(JTabbedPane.class,
                t -> t.isShowing() && t.indexOfTab("MBeans") >= 0));
        edt(() -> {
            tabs.setSelectedIndex(tabs.indexOfTab("MBeans"));
            return null;
        });
        JTree tree = await("the MBeans tree", () -> first(JTree.class, t -> t.isShowing()
                && find(t, List.of("renumber")) != null));
        JFrame frame = (JFrame) SwingUtilities.getWindowAncestor(tree);
        edt(() -> {
            frame.setBounds(0, 0, WIDTH, HEIGHT);
            frame.validate();
            return null;
        });
        JSplitPane split = (JSplitPane) SwingUtilities.getAncestorOfClass(JSplitPane.class, tree);
        edt(() -> {
            split.setDividerLocation(330); // room for the MBean names
            return null;
        });

        select(tree, "renumber", "AddressChangeService", "Attributes");
        expand(tree, "renumber", "ConnectionTracker");
        expand(tree, "renumber", "InterfaceMonitor");
        expand(tree, "renumber", "AddressChangeService", "Operations");
        shoot(frame, new File(out, "jconsole-mbeans.png"));

        select(tree, "renumber", "AddressChangeService", "Operations", "changeAddress");
        shoot(frame, new File(out, "jconsole-operation.png"));

        select(tree, "renumber", "AddressChangeService", "Notifications");
        click("Subscribe");
        Process process = new ProcessBuilder("sh", "-c", change).inheritIO().start();
        int status = process.waitFor();
        System.out.println("the change ended with exit status " + status);
        JTable notifications = await("the completed notification", () -> first(JTable.class, t -> t.isShowing()
                && contains(t, "renumber.change.completed")));
        edt(() -> {
            // The type and the message say what happened; the JMX class names need less room.
            int[] widths = {85, 205, 95, 130, 330, 40};
            notifications.setAutoResizeMode(JTable.AUTO_RESIZE_LAST_COLUMN);
            int rest = notifications.getWidth();
            for (int i = 0; i < notifications.getColumnCount(); i++) {
                int width = i < widths.length ? widths[i] : Math.max(60, rest);
                notifications.getColumnModel().getColumn(i).setPreferredWidth(width);
                notifications.getColumnModel().getColumn(i).setWidth(width);
                rest -= width;
            }
            notifications.doLayout();
            return null;
        });
        shoot(frame, new File(out, "jconsole-notifications.png"));
        System.exit(0);
    }

    // --- Swing, always on the event dispatch thread ---

    private static <T> T edt(Callable<T> call) throws Exception {
        AtomicReference<T> result = new AtomicReference<>();
        AtomicReference<Exception> failure = new AtomicReference<>();
        SwingUtilities.invokeAndWait(() -> {
            try {
                result.set(call.call());
            } catch (Exception e) {
                failure.set(e);
            }
        });
        if (failure.get() != null) {
            throw failure.get();
        }
        return result.get();
    }

    private static <T> T await(String what, Callable<T> find) throws Exception {
        long deadline = System.currentTimeMillis() + WAIT_MILLIS;
        while (System.currentTimeMillis() < deadline) {
            T found = edt(find);
            if (found != null) {
                return found;
            }
            Thread.sleep(200);
        }
        edt(() -> {
            for (Window window : Window.getWindows()) {
                dump(window, "");
            }
            return null;
        });
        throw new IllegalStateException("JConsole did not show " + what + " within " + WAIT_MILLIS / 1000 + " s");
    }

    private static void click(String text) throws Exception {
        AbstractButton button = await("a button '" + text + "'", () -> button(text));
        edt(() -> {
            button.doClick();
            return null;
        });
    }

    private static AbstractButton button(String text) {
        return first(AbstractButton.class, b -> b.isShowing() && b.isEnabled() && text.equals(b.getText()));
    }

    private static <T> T first(Class<T> type, Predicate<T> matching) {
        List<T> found = all(type, matching);
        return found.isEmpty() ? null : found.get(0);
    }

    private static <T> List<T> all(Class<T> type, Predicate<T> matching) {
        List<T> found = new ArrayList<>();
        for (Window window : Window.getWindows()) {
            collect(window, type, matching, found);
        }
        return found;
    }

    private static <T> void collect(Component component, Class<T> type, Predicate<T> matching, List<T> found) {
        if (type.isInstance(component) && matching.test(type.cast(component))) {
            found.add(type.cast(component));
        }
        if (component instanceof Container container) {
            for (Component child : container.getComponents()) {
                collect(child, type, matching, found);
            }
        }
    }

    private static void dump(Component component, String indent) {
        String text = component instanceof AbstractButton b ? " '" + b.getText() + "'" : "";
        System.err.println(indent + component.getClass().getName() + text + (component.isShowing() ? "" : " (hidden)"));
        if (component instanceof Container container) {
            for (Component child : container.getComponents()) {
                dump(child, indent + "  ");
            }
        }
    }

    private static boolean contains(JTable table, String text) {
        for (int row = 0; row < table.getRowCount(); row++) {
            for (int column = 0; column < table.getColumnCount(); column++) {
                if (String.valueOf(table.getValueAt(row, column)).contains(text)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The path of tree nodes whose labels are {@code labels}, from below the root; null while it is not there. */
    private static TreePath find(JTree tree, List<String> labels) {
        TreeModel model = tree.getModel();
        Object node = model.getRoot();
        TreePath path = new TreePath(node);
        for (String label : labels) {
            Object next = null;
            for (int i = 0; i < model.getChildCount(node); i++) {
                Object child = model.getChild(node, i);
                String shown = String.valueOf(child);
                // JConsole counts received notifications in the label: Notifications[3]
                if (label.equals(shown) || shown.startsWith(label + "[")) {
                    next = child;
                }
            }
            if (next == null) {
                return null;
            }
            node = next;
            path = path.pathByAddingChild(node);
        }
        return path;
    }

    /** Expands each node on the way: JConsole adds an MBean's Attributes, Operations and Notifications on expansion. */
    private static TreePath expand(JTree tree, String... labels) throws Exception {
        TreePath path = null;
        for (int depth = 1; depth <= labels.length; depth++) {
            List<String> prefix = List.of(labels).subList(0, depth);
            TreePath found = await("the MBeans tree node " + String.join("/", prefix), () -> find(tree, prefix));
            edt(() -> {
                tree.expandPath(found);
                return null;
            });
            path = found;
        }
        return path;
    }

    private static void select(JTree tree, String... labels) throws Exception {
        TreePath path = expand(tree, labels);
        edt(() -> {
            tree.setSelectionPath(path);
            tree.scrollPathToVisible(path);
            return null;
        });
    }

    /** Lets JConsole finish drawing (it loads MBean info in the background), then captures the window's pixels. */
    private static void shoot(JFrame frame, File png) throws Exception {
        Thread.sleep(2_000);
        Rectangle bounds = edt(() -> {
            frame.toFront();
            return frame.getBounds();
        });
        Thread.sleep(500);
        BufferedImage image = new Robot().createScreenCapture(bounds);
        ImageIO.write(image, "png", png);
        System.out.println("wrote " + png);
    }
}
