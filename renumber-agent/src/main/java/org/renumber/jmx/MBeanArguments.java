package org.renumber.jmx;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.management.JMException;
import javax.management.MBeanAttributeInfo;
import javax.management.MBeanInfo;
import javax.management.MBeanOperationInfo;
import javax.management.MBeanParameterInfo;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.renumber.api.MBeanNames;

/**
 * Checks writes and operation arguments for the {@code renumber} MBeans against their MBean info with
 * {@link ArgumentTypes}, before anything converts them: the answer names the attribute or parameter (as the MBean
 * info names it) and the operation. Other domains, unknown MBeans, attributes and operations are not judged here:
 * the server's own error is clear enough for those.
 */
public final class MBeanArguments {

    private final MBeanServer server;

    public MBeanArguments(MBeanServer server) {
        this.server = requireNonNull(server, "server");
    }

    /** Why writing the JSON {@code value} to {@code attribute} is refused, or null. */
    public String refuseWriteJson(ObjectName name, String attribute, JsonNode value) {
        return refuseWrite(name, attribute, value, ArgumentTypes::refuseJson);
    }

    /** Why writing {@code value} to {@code attribute} over JMX is refused, or null. */
    public String refuseWriteJava(ObjectName name, String attribute, Object value) {
        return refuseWrite(name, attribute, value, ArgumentTypes::refuseJava);
    }

    /**
     * Why calling {@code operation} (a name, or Jolokia's {@code name(type,...)}) with the JSON {@code arguments}
     * is refused, or null.
     */
    public String refuseExecJson(ObjectName name, String operation, List<JsonNode> arguments) {
        int paren = operation.indexOf('(');
        String[] signature = paren < 0 || !operation.endsWith(")") ? null
                : operation.substring(paren + 1, operation.length() - 1).isBlank() ? new String[0]
                : Arrays.stream(operation.substring(paren + 1, operation.length() - 1).split(","))
                        .map(String::strip).toArray(String[]::new);
        String plain = paren < 0 ? operation : operation.substring(0, paren);
        return refuseExec(name, plain, signature, new ArrayList<>(arguments), ArgumentTypes::refuseJson);
    }

    /** Why invoking {@code operation} with {@code arguments} of {@code signature} over JMX is refused, or null. */
    public String refuseExecJava(ObjectName name, String operation, Object[] arguments, String[] signature) {
        List<Object> values = arguments == null ? List.of() : Arrays.asList(arguments);
        return refuseExec(name, operation, signature, values, ArgumentTypes::refuseJava);
    }

    private <T> String refuseWrite(ObjectName name, String attribute, T value, Check<T> check) {
        MBeanInfo info = info(name);
        if (info == null || attribute == null) {
            return null;
        }
        for (MBeanAttributeInfo candidate : info.getAttributes()) {
            if (candidate.getName().equals(attribute) && candidate.isWritable()) {
                String refusal = check.apply(attribute, candidate.getType(), value);
                return refusal == null ? null : refusal + "; " + attribute + " was not changed";
            }
        }
        return null;
    }

    private <T> String refuseExec(ObjectName name, String operation, String[] signature, List<T> values,
                                  Check<T> check) {
        MBeanInfo info = info(name);
        if (info == null || operation == null) {
            return null;
        }
        List<MBeanOperationInfo> matching = new ArrayList<>();
        for (MBeanOperationInfo candidate : info.getOperations()) {
            MBeanParameterInfo[] parameters = candidate.getSignature();
            if (candidate.getName().equals(operation) && (signature == null
                    ? parameters.length == values.size()
                    : Arrays.equals(signature, Arrays.stream(parameters).map(MBeanParameterInfo::getType).toArray()))) {
                matching.add(candidate);
            }
        }
        if (matching.size() != 1 || matching.get(0).getSignature().length != values.size()) {
            return null;
        }
        MBeanParameterInfo[] parameters = matching.get(0).getSignature();
        for (int i = 0; i < parameters.length; i++) {
            String refusal = check.apply(parameters[i].getName(), parameters[i].getType(), values.get(i));
            if (refusal != null) {
                return operation + ": " + refusal + "; nothing was done";
            }
        }
        return null;
    }

    private MBeanInfo info(ObjectName name) {
        if (name == null || !MBeanNames.DOMAIN.equals(name.getDomain()) || name.isPattern()) {
            return null;
        }
        try {
            return server.getMBeanInfo(name);
        } catch (JMException e) {
            return null;
        }
    }

    private interface Check<T> {
        String apply(String name, String type, T value);
    }
}
