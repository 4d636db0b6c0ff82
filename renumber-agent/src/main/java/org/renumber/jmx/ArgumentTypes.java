package org.renumber.jmx;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The values the {@code renumber} MBeans take, checked before they are converted, so a wrong one is refused with
 * its name and what is accepted instead of being turned into something else. Jolokia converts {@code "yes"} to
 * {@code false} ({@code Boolean.parseBoolean}) and {@code 1.5} to {@code 1}; the JMX server reports a mistyped
 * value as an "argument type mismatch" naming nothing. Both reach the MBean too late to tell, so the Jolokia gate
 * checks the JSON ({@link #refuseJson}) and the JMX access policy the objects ({@link #refuseJava}).
 *
 * <p>A boolean takes true or false (any case in text) and nothing else; a whole number takes an integral JSON
 * number or its digits as text, within the type's range; text takes any JSON scalar (Jolokia writes numbers as
 * text) but not null, an object or an array. Other types are left to Jolokia and the MBean.
 */
public final class ArgumentTypes {

    private static final Pattern INTEGER = Pattern.compile("[+-]?\\d{1,19}");
    private static final Set<String> BOOLEANS = Set.of("true", "false");

    private ArgumentTypes() {
    }

    /** Why {@code value} cannot be {@code name} of JMX type {@code type}, or null when it can. */
    public static String refuseJava(String name, String type, Object value) {
        switch (kind(type)) {
            case BOOLEAN -> {
                return value instanceof Boolean ? null : name + " takes true or false, not " + javaText(value);
            }
            case LONG, INT -> {
                boolean integral = value instanceof Long || value instanceof Integer || value instanceof Short
                        || value instanceof Byte;
                if (integral && (kind(type) == Kind.LONG || fitsInt(((Number) value).longValue()))) {
                    return null;
                }
                return name + " takes a whole number" + range(type) + ", not " + javaText(value);
            }
            case TEXT -> {
                return value == null || value instanceof String ? null
                        : name + " takes text, not " + javaText(value);
            }
            default -> {
                return null;
            }
        }
    }

    /** Why the JSON {@code value} cannot be {@code name} of JMX type {@code type}, or null when it can. */
    public static String refuseJson(String name, String type, JsonNode value) {
        Kind kind = kind(type);
        if (kind == Kind.OTHER) {
            return null;
        }
        if (value == null || value.isNull() || value.isMissingNode()) {
            return name + " is required: " + accepted(kind, type) + (kind == Kind.TEXT ? " (\"\" for none)" : "")
                    + ", not null";
        }
        boolean ok = switch (kind) {
            case BOOLEAN -> value.isBoolean() || (value.isTextual()
                    && BOOLEANS.contains(value.asText().strip().toLowerCase(Locale.ROOT)));
            case LONG, INT -> integral(value) && (kind == Kind.LONG || fitsInt(integer(value)));
            case TEXT -> value.isValueNode();
            default -> true;
        };
        return ok ? null : name + " takes " + accepted(kind, type) + ", not " + jsonText(value);
    }

    private static boolean integral(JsonNode value) {
        if (value.isIntegralNumber()) {
            return value.canConvertToLong();
        }
        if (value.isTextual() && INTEGER.matcher(value.asText().strip()).matches()) {
            try {
                Long.parseLong(value.asText().strip());
                return true;
            } catch (NumberFormatException e) {
                return false;
            }
        }
        return false;
    }

    private static long integer(JsonNode value) {
        return value.isTextual() ? Long.parseLong(value.asText().strip()) : value.asLong();
    }

    private static boolean fitsInt(long value) {
        return value >= Integer.MIN_VALUE && value <= Integer.MAX_VALUE;
    }

    private static String accepted(Kind kind, String type) {
        return switch (kind) {
            case BOOLEAN -> "true or false";
            case LONG, INT -> "a whole number" + range(type);
            default -> "text";
        };
    }

    private static String range(String type) {
        return kind(type) == Kind.INT ? " (a 32-bit integer)" : "";
    }

    private static String jsonText(JsonNode value) {
        String text = value.isTextual() ? "\"" + value.asText() + "\""
                : value.isObject() ? "a JSON object" : value.isArray() ? "a JSON array" : value.toString();
        return printable(text);
    }

    private static String javaText(Object value) {
        if (value == null) {
            return "null";
        }
        String text = value instanceof String s ? "\"" + s + "\"" : value + " (" + value.getClass().getSimpleName() + ")";
        return printable(text);
    }

    private static String printable(String text) {
        String cleaned = text.replaceAll("\\p{Cntrl}", "?");
        return cleaned.length() > 80 ? cleaned.substring(0, 80) + "..." : cleaned;
    }

    private enum Kind { BOOLEAN, LONG, INT, TEXT, OTHER }

    private static Kind kind(String type) {
        return switch (type) {
            case "boolean", "java.lang.Boolean" -> Kind.BOOLEAN;
            case "long", "java.lang.Long" -> Kind.LONG;
            case "int", "java.lang.Integer" -> Kind.INT;
            case "java.lang.String" -> Kind.TEXT;
            default -> Kind.OTHER;
        };
    }
}
