package org.renumber.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.management.Attribute;
import javax.management.ObjectName;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;
import org.renumber.testing.AgentFixture;
import org.renumber.testing.RemoteJmx;

/**
 * Bad input through Jolokia (POST and GET) and JMX, one table (issue 13, "Prove it"): every case is refused with
 * a message naming the argument, and afterwards the managed namespace is byte for byte what it was
 * ({@code ip -d addr}, every routing table of both families, the rules of both families), the settings read what
 * they read, and no change is running.
 */
@Tag("kernel")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BadInputSuiteTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SERVICE = "renumber:type=AddressChangeService";
    private static final String MONITOR = "renumber:type=InterfaceMonitor";
    private static final String OLD = "10.9.0.1";
    private static final List<String[]> BOOLEAN_SETTINGS = List.of(new String[] {SERVICE, "GuardNewConnections"},
            new String[] {SERVICE, "ForceCloseAtDeadline"}, new String[] {MONITOR, "Enabled"},
            new String[] {MONITOR, "AutoRemoveAlias"});
    private static final List<String[]> NUMBER_SETTINGS = List.of(new String[] {MONITOR, "WindowMillis"},
            new String[] {MONITOR, "SettleMillis"}, new String[] {MONITOR, "DrainTimeoutSeconds"},
            new String[] {SERVICE, "HookTimeoutSeconds"});
    /** New addresses for v0 (10.9.0.1/24) that must be refused, with what the refusal says. */
    private static final String[][] BAD_NEW_ADDRESSES = {
            {"169.254.7.7/16", "new address 169.254.7.7/16 is an IPv4 link-local address"},
            {"240.0.0.1/24", "new address 240.0.0.1/24 is in the reserved range 240.0.0.0/4"},
            {"255.255.255.255/32", "new address 255.255.255.255/32 is in the reserved range"},
            {"224.0.0.5/24", "new address 224.0.0.5/24 is an IPv4 multicast address"},
            {"239.1.2.3", "new address 239.1.2.3 is an IPv4 multicast address"},
            {"0.1.2.3/24", "new address 0.1.2.3/24 is in 0.0.0.0/8"},
            {"127.0.0.2/8", "new address 127.0.0.2/8 is a loopback address"},
            {"10.9.1.0/24", "network or broadcast address"},
            {"10.9.1.255/24", "network or broadcast address"},
            {"10.9.1.1/0", "prefix length 0"},
            {"10.9.1.1/2x", "10.9.1.1/2x"},
            {"10.9.1.1/33", "10.9.1.1/33"},
            {"2001:db8:1::1/64", "both must be of the same family"},
            {OLD + "/24", "is the old address"},
            {"not-an-address", "not-an-address"},
            {"fe80::5/64", "same family"}};

    private AgentFixture fixture;
    private RemoteJmx jmx;
    private final HttpClient http = HttpClient.newHttpClient();
    private String authorization;
    private String kernelBefore;
    private Map<String, Object> settingsBefore;
    private int cases;

    @BeforeAll
    void start() throws Exception {
        fixture = new AgentFixture("rn-it-bad-");
        jmx = fixture.jmx();
        authorization = "Basic " + Base64.getEncoder().encodeToString((fixture.agent().credentials().user() + ":"
                + fixture.agent().credentials().password()).getBytes(StandardCharsets.UTF_8));
        // The kernel's duplicate address detection on the link-local addresses changes `ip addr` by itself.
        await().atMost(Duration.ofSeconds(30)).until(() -> !kernel().contains("tentative"));
        kernelBefore = kernel();
        settingsBefore = settings();
    }

    @AfterAll
    void stop() throws Exception {
        System.out.println("bad-input suite: " + cases + " cases refused with the kernel untouched");
        if (jmx != null) {
            jmx.close();
        }
        if (fixture != null) {
            fixture.close();
        }
    }

    @TestFactory
    Stream<DynamicTest> everyBadInputIsRefusedNamingTheArgumentAndTheKernelIsUntouched() {
        List<Case> table = new ArrayList<>();
        for (String[] setting : BOOLEAN_SETTINGS) {
            String attribute = setting[1];
            for (Object bad : Arrays.asList("yes", "1", "0", "no", "on", "", "tru", null, 1, 0, 2.5,
                    Map.of("a", 1), List.of(true))) {
                String expected = attribute + (bad == null ? " is required: true or false" : " takes true or false");
                table.add(Case.jolokia("write " + attribute + " = " + bad, Map.of("type", "write", "mbean", setting[0],
                        "attribute", attribute, "value", bad == null ? JSON.nullNode() : bad), expected));
            }
            for (String bad : List.of("yes", "1", "[null]")) {
                table.add(Case.get("GET write " + attribute + " " + bad, "/write/" + setting[0] + "/" + attribute + "/"
                        + bad, attribute));
            }
            for (Object bad : Arrays.asList("yes", "1", 1, null)) {
                table.add(Case.jmx("JMX set " + attribute + " = " + bad, jmx -> jmx.connection().setAttribute(
                        new ObjectName(setting[0]), new Attribute(attribute, bad)), attribute + " takes true or false"));
            }
        }
        for (String[] setting : NUMBER_SETTINGS) {
            String attribute = setting[1];
            for (Object bad : Arrays.asList("1.5", 1.5, "abc", null, true, Map.of())) {
                table.add(Case.jolokia("write " + attribute + " = " + bad, Map.of("type", "write", "mbean", setting[0],
                        "attribute", attribute, "value", bad == null ? JSON.nullNode() : bad), attribute));
            }
            for (Object bad : Arrays.asList(1.5, "10", null)) {
                table.add(Case.jmx("JMX set " + attribute + " = " + bad, jmx -> jmx.connection().setAttribute(
                        new ObjectName(setting[0]), new Attribute(attribute, bad)), attribute + " takes a whole number"));
            }
        }
        for (Object bad : Arrays.asList(1.5, "1.5", null, "abc", true, Map.of(), List.of(), "1e3", -5, 999_999_999)) {
            table.add(Case.jolokia("changeAddress drainTimeoutSeconds " + bad, exec("changeAddress", "v0", OLD,
                    "10.9.1.1/24", "", bad), "drainTimeoutSeconds"));
        }
        for (Object bad : Arrays.asList(0, 1.5, null, 86_401)) {
            table.add(Case.jolokia("scheduleChange warningSeconds " + bad, exec("scheduleChange", "v0", OLD,
                    "10.9.1.1/24", "", 60, bad), "warningSeconds"));
        }
        for (Object bad : Arrays.asList(1.5, null, -1)) {
            table.add(Case.jolokia("awaitChange timeoutSeconds " + bad, exec("awaitChange", "chg-00000000", bad),
                    bad == null || bad.equals(1.5) ? "timeoutSeconds" : "out of range"));
        }
        table.add(Case.jolokia("changeAddress interfaceName null", exec("changeAddress", null, OLD, "10.9.1.1", "",
                60), "interfaceName"));
        table.add(Case.jolokia("changeAddress interfaceName object", exec("changeAddress", Map.of(), OLD, "10.9.1.1",
                "", 60), "interfaceName"));
        table.add(Case.jolokia("changeAddress oldAddress null", exec("changeAddress", "v0", null, "10.9.1.1", "", 60),
                "oldAddress"));
        table.add(Case.jolokia("changeAddress newAddress array", exec("changeAddress", "v0", OLD, List.of("x"), "",
                60), "newAddress"));
        for (String[] bad : BAD_NEW_ADDRESSES) {
            table.add(Case.jolokia("changeAddress to " + bad[0], exec("changeAddress", "v0", OLD, bad[0], "", 60),
                    bad[1]));
            table.add(Case.jmx("JMX changeAddress to " + bad[0], jmx -> jmx.invoke(SERVICE, "changeAddress", "v0", OLD,
                    bad[0], "", 60L), bad[1]));
        }
        table.add(Case.get("GET changeAddress to 169.254.7.7", "/exec/" + SERVICE + "/changeAddress/v0/" + OLD
                + "/169.254.7.7!/16/\"\"/60", "IPv4 link-local"));
        table.add(Case.get("GET changeAddress timeout 1.5", "/exec/" + SERVICE + "/changeAddress/v0/" + OLD
                + "/10.9.1.1/\"\"/1.5", "drainTimeoutSeconds takes a whole number"));
        for (Object[] bad : new Object[][] {{"eth7", OLD, "unknown interface 'eth7'"},
                {"v0", "10.9.0", "not a valid IP address"}, {"v0", "10.9.0.99", "not configured on v0"}}) {
            table.add(Case.jolokia("changeAddress " + bad[0] + " " + bad[1], exec("changeAddress", bad[0], bad[1],
                    "10.9.1.1/24", "", 60), (String) bad[2]));
            table.add(Case.jmx("JMX changeAddress " + bad[0] + " " + bad[1], jmx -> jmx.invoke(SERVICE,
                    "changeAddress", bad[0], bad[1], "10.9.1.1/24", "", 60L), (String) bad[2]));
        }
        table.add(Case.jmx("JMX changeAddress drainTimeoutSeconds as a String", jmx -> jmx.connection().invoke(
                new ObjectName(SERVICE), "changeAddress", new Object[] {"v0", OLD, "10.9.1.1/24", "", "60"},
                new String[] {"java.lang.String", "java.lang.String", "java.lang.String", "java.lang.String", "long"}),
                "drainTimeoutSeconds takes a whole number"));
        table.add(Case.jmx("JMX changeAddress drainTimeoutSeconds -5", jmx -> jmx.invoke(SERVICE, "changeAddress",
                "v0", OLD, "10.9.1.1/24", "", -5L), "drainTimeoutSeconds -5 is out of range"));
        table.add(Case.jmx("JMX changeAddress unknown target", jmx -> jmx.invoke(SERVICE, "changeAddress", "v0", OLD,
                "10.9.1.1/24", "ghost", 60L), "unknown subscriber id 'ghost'"));
        for (Object bad : Arrays.asList("", "a b", "x".repeat(65), null, Map.of())) {
            table.add(Case.jolokia("subscribe id " + bad, exec("subscribe", bad, "", ""), "subscriber"));
        }
        addGetCases(table);
        return table.stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> run(c)));
    }

    /**
     * Arguments in a GET path ({@code /exec/MBEAN/OP/ARG/...}) or in its {@code ?p=} query form are text that Jolokia
     * converts to the argument's type: a wrong type or an unparsable value is refused naming the argument, as in a
     * POST body.
     */
    private static void addGetCases(List<Case> table) {
        String change = "/exec/" + SERVICE + "/changeAddress/v0/" + OLD + "/10.9.1.1!/24/\"\"/";
        String schedule = "/exec/" + SERVICE + "/scheduleChange/v0/" + OLD + "/10.9.1.1!/24/\"\"/60/";
        for (String bad : List.of("abc", "1e3", "0x10", "[null]", "true", "99999999999999999999")) {
            table.add(Case.get("GET changeAddress drainTimeoutSeconds " + bad, change + bad, "drainTimeoutSeconds"));
            table.add(Case.query("?p= changeAddress drainTimeoutSeconds " + bad, change + bad, "drainTimeoutSeconds"));
        }
        for (String bad : List.of("x", "1.5", "[null]")) {
            table.add(Case.get("GET scheduleChange warningSeconds " + bad, schedule + bad, "warningSeconds"));
            table.add(Case.query("?p= scheduleChange warningSeconds " + bad, schedule + bad, "warningSeconds"));
        }
        for (String bad : List.of("soon", "2.5")) {
            table.add(Case.get("GET awaitChange timeoutSeconds " + bad, "/exec/" + SERVICE
                    + "/awaitChange/chg-00000000/" + bad, "timeoutSeconds"));
        }
        table.add(Case.query("?p= changeAddress interfaceName null", "/exec/" + SERVICE + "/changeAddress/[null]/"
                + OLD + "/10.9.1.1!/24/\"\"/60", "interfaceName"));
        table.add(Case.query("?p= changeAddress to 240.0.0.1", "/exec/" + SERVICE + "/changeAddress/v0/" + OLD
                + "/240.0.0.1!/24/\"\"/60", "reserved range 240.0.0.0/4"));
        for (String[] setting : BOOLEAN_SETTINGS) {
            for (String bad : List.of("yes", "1")) {
                table.add(Case.query("?p= write " + setting[1] + " " + bad, "/write/" + setting[0] + "/" + setting[1]
                        + "/" + bad, setting[1]));
            }
        }
        for (String[] setting : NUMBER_SETTINGS) {
            for (String bad : List.of("1.5", "abc")) {
                table.add(Case.get("GET write " + setting[1] + " " + bad, "/write/" + setting[0] + "/" + setting[1]
                        + "/" + bad, setting[1]));
                table.add(Case.query("?p= write " + setting[1] + " " + bad, "/write/" + setting[0] + "/" + setting[1]
                        + "/" + bad, setting[1]));
            }
        }
    }

    private void run(Case c) throws Exception {
        String message = c.refusal(this);
        assertThat(message).as(c.name()).contains(c.expected());
        assertThat(kernel()).as("the kernel after " + c.name()).isEqualTo(kernelBefore);
        assertThat(settings()).as("the settings after " + c.name()).isEqualTo(settingsBefore);
        assertThat(jmx.get(SERVICE, "ActiveChangeCount")).as("changes running after " + c.name()).isEqualTo(0);
        cases++;
    }

    private String kernel() {
        return fixture.net.exec(fixture.net.a(), "sh", "-c",
                "ip -d addr; ip route show table all; ip -6 route show table all; ip rule; ip -6 rule");
    }

    private Map<String, Object> settings() throws Exception {
        Map<String, Object> values = new LinkedHashMap<>();
        for (String[] setting : BOOLEAN_SETTINGS) {
            values.put(setting[1], jmx.get(setting[0], setting[1]));
        }
        for (String[] setting : NUMBER_SETTINGS) {
            values.put(setting[1], jmx.get(setting[0], setting[1]));
        }
        return values;
    }

    private static Map<String, Object> exec(String operation, Object... arguments) {
        List<Object> list = new ArrayList<>();
        for (Object argument : arguments) {
            list.add(argument == null ? JSON.nullNode() : argument);
        }
        return Map.of("type", "exec", "mbean", SERVICE, "operation", operation, "arguments", list);
    }

    String jolokiaPost(Map<String, Object> request) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(fixture.agent().jolokia().url())
                .header("Authorization", authorization).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(request))).build(),
                HttpResponse.BodyHandlers.ofString());
        return refusal(response);
    }

    String jolokiaGet(String path) throws Exception {
        String encoded = Arrays.stream(path.split("/", -1)).map(part -> URLEncoder.encode(part, StandardCharsets.UTF_8)
                .replace("+", "%20")).reduce((a, b) -> a + "/" + b).orElse("");
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(
                fixture.agent().jolokia().url() + encoded)).header("Authorization", authorization).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        return refusal(response);
    }

    /** The same request as {@link #jolokiaGet}, its path in Jolokia's {@code ?p=} query parameter. */
    String jolokiaQuery(String path) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(fixture.agent().jolokia().url()
                + "?p=" + URLEncoder.encode(path, StandardCharsets.UTF_8))).header("Authorization", authorization)
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        return refusal(response);
    }

    private static String refusal(HttpResponse<String> response) throws Exception {
        JsonNode answer = JSON.readTree(response.body());
        assertThat(answer.path("status").asInt()).as(response.body()).isNotEqualTo(200);
        return answer.path("error").asText();
    }

    String jmxRefusal(JmxCall call) {
        try {
            call.run(jmx);
        } catch (Exception e) {
            StringBuilder all = new StringBuilder();
            for (Throwable t = e; t != null; t = t.getCause()) {
                all.append(t.getMessage()).append(" | ");
            }
            return all.toString();
        }
        throw new AssertionError("accepted, not refused");
    }

    interface JmxCall {
        void run(RemoteJmx jmx) throws Exception;
    }

    interface Refusal {
        String of(BadInputSuiteTest suite) throws Exception;
    }

    record Case(String name, Refusal how, String expected) {
        static Case jolokia(String name, Map<String, Object> request, String expected) {
            return new Case("Jolokia " + name, suite -> suite.jolokiaPost(request), expected);
        }

        static Case get(String name, String path, String expected) {
            return new Case("Jolokia " + name, suite -> suite.jolokiaGet(path), expected);
        }

        static Case query(String name, String path, String expected) {
            return new Case("Jolokia " + name, suite -> suite.jolokiaQuery(path), expected);
        }

        static Case jmx(String name, JmxCall call, String expected) {
            return new Case(name, suite -> suite.jmxRefusal(call), expected);
        }

        String refusal(BadInputSuiteTest suite) throws Exception {
            return how.of(suite);
        }
    }
}
