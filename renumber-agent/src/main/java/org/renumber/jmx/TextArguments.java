package org.renumber.jmx;

/** What the MBeans do to a text argument before the service or monitor sees it. */
final class TextArguments {

    private TextArguments() {
    }

    /** The argument without surrounding blanks; null stays null, so the callee names it as missing. */
    static String stripped(String value) {
        return value == null ? null : value.strip();
    }
}
