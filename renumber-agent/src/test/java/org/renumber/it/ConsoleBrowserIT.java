package org.renumber.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.logging.LogEntry;
import org.renumber.testing.AgentProcess;
import org.renumber.testing.HeadlessChromium;
import org.renumber.testing.JolokiaHttp;
import org.renumber.testing.KernelTest;
import org.renumber.testing.NetNsFixture;
import org.renumber.testing.NetNsPeer;

/**
 * The console in a real browser (Debian's headless chromium) against the packaged agent managing a namespace,
 * with a real application holding a real TCP connection on the old address. The browser logs in with the
 * agent's generated credentials in the URL, as basic authentication; everything else goes through the page.
 * Screenshots land in target/console/ (docs/ holds copies).
 */
@Tag("kernel")
@KernelTest
class ConsoleBrowserIT {

    private static final String SERVICE = "renumber:type=AddressChangeService";
    private static final String OLD = NetNsFixture.ADDRESS_A;
    private static final String NEW = "10.9.1.1/24";
    private static final Path SHOTS = Path.of("target", "console");
    private static final Duration PAGE = Duration.ofSeconds(30);

    private NetNsFixture net;
    private Path stateDir;
    private Path jolokiaConfig;
    private AgentProcess agent;
    private JolokiaHttp http;
    private HeadlessChromium chromium;
    private WebDriver page;

    @BeforeEach
    void startAgentAndBrowser() throws Exception {
        net = NetNsFixture.create("rn-it-console-");
        stateDir = Files.createTempDirectory("renumber-console-state-");
        jolokiaConfig = Files.createTempFile("renumber-jolokia-", ".properties");
        Files.writeString(jolokiaConfig, "host=127.0.0.1\nport=0\nagentContext=/jolokia\n");
        agent = AgentProcess.start(stateDir, "--netns", net.a(), "--jolokia-config", jolokiaConfig.toString());
        http = agent.jolokiaHttp();
        chromium = new HeadlessChromium(1280, 1500);
        page = chromium.driver();
    }

    @AfterEach
    void stopEverything() throws Exception {
        try {
            if (chromium != null) {
                chromium.close();
            }
            if (agent != null) {
                agent.close();
            }
        } finally {
            net.close();
            try (Stream<Path> files = Files.walk(stateDir)) {
                files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(java.io.File::delete);
            }
            Files.deleteIfExists(jolokiaConfig);
        }
    }

    private URI origin() {
        URI jolokia = agent.jolokiaUrl();
        return URI.create("http://" + jolokia.getHost() + ":" + jolokia.getPort());
    }

    /** Opens the console logged in, and waits for its first poll of the agent. */
    private void logIn() throws Exception {
        String[] credentials = agent.credentials();
        URI origin = origin();
        page.get("http://" + credentials[0] + ":" + credentials[1] + "@" + origin.getHost() + ":" + origin.getPort()
                + "/console/");
        eventually().until(() -> text(By.id("connection")).startsWith("connected"));
        eventually().until(() -> !page.findElements(By.cssSelector("#interfaces-body td")).isEmpty());
    }

    /** Waits for the page; the poll redraws parts of it every second, so a look may miss an element once. */
    private static org.awaitility.core.ConditionFactory eventually() {
        return await().atMost(PAGE).ignoreExceptions();
    }

    private void click(By by) {
        eventually().until(() -> {
            page.findElement(by).click();
            return true;
        });
    }

    private String text(By by) {
        return page.findElement(by).getText();
    }

    private void fill(String name, String value) {
        WebElement input = page.findElement(By.name(name));
        input.clear();
        input.sendKeys(value);
    }

    private void plan(String interfaceName, String oldAddress, String newAddress, long drainSeconds) {
        fill("interfaceName", interfaceName);
        fill("oldAddress", oldAddress);
        fill("newAddress", newAddress);
        fill("drainTimeoutSeconds", Long.toString(drainSeconds));
        click(By.id("plan-button"));
    }

    private WebElement card(String changeId) {
        return page.findElement(By.cssSelector("article.change[data-change-id='" + changeId + "']"));
    }

    private String startedChangeId() {
        eventually().until(() -> !page.findElements(By.cssSelector("#plan-result .accepted code")).isEmpty());
        return text(By.cssSelector("#plan-result .accepted code"));
    }

    @Test
    void anOperatorPlansAndStartsAChangeAndWatchesItDrainToCompleted() throws Exception {
        try (NetNsPeer server = NetNsPeer.start(net.a(), NetNsPeer.Stack.DUAL, "READY", "server", OLD, "7000");
             NetNsPeer client = NetNsPeer.start(net.b(), NetNsPeer.Stack.DUAL, "CONNECTED", "client", "any", OLD,
                     "7000", "1")) {
            http.exec(SERVICE, "subscribe", "web-1", "web", "");
            logIn();
            ((org.openqa.selenium.JavascriptExecutor) page).executeScript("window.sameDocument = true;");
            assertThat(text(By.id("interfaces-body"))).contains("v0", OLD + "/24", "2001:db8:9::1/64");
            assertThat(text(By.id("subscribers-body"))).contains("web-1", "web");

            plan("v0", OLD, NEW, 120);
            eventually().until(() -> !page.findElements(By.id("confirm-start")).isEmpty());
            String planned = text(By.id("plan-result"));
            assertThat(planned).as("the dry run, before anything changes").contains("Plan: nothing has changed yet",
                    OLD + "/24", NEW, "web-1", "ESTABLISHED", "(pid " + server.pid() + ")");
            assertThat(net.addresses(net.a(), "v0")).doesNotContain(NEW);
            chromium.screenshot(SHOTS.resolve("console-plan.png"));

            click(By.id("confirm-start"));
            String id = startedChangeId();
            eventually().until(() -> "DRAINING".equals(card(id).getAttribute("data-state")));
            eventually().until(() -> page.findElements(By.cssSelector(".chart-value")).size() == 1
                    && "1".equals(page.findElement(By.cssSelector(".chart-value")).getAttribute("data-remaining"))
                    && page.findElements(By.cssSelector(".chart-line")).size() == 1);
            eventually().untilAsserted(() -> assertThat(card(id).getText()).as("the holder, by process")
                    .contains("Connections left", "Deadline", server.pid() + " ", "1 connection"));
            assertThat(client.ask("ping")).as("the old connection still works while draining").isEqualTo("PONG ok");
            // a few seconds of the drain on the chart, for the screenshot
            await().pollDelay(Duration.ofSeconds(4)).until(() -> true);
            chromium.screenshot(SHOTS.resolve("console-draining.png"));

            assertThat(server.ask("close")).isEqualTo("CLOSED");
            eventually().until(() -> "COMPLETED".equals(card(id).getAttribute("data-state")));
            eventually().untilAsserted(() -> {
                assertThat(page.findElement(By.cssSelector(".chart-value")).getAttribute("data-remaining"))
                        .as("the chart reached zero").isEqualTo("0");
                assertThat(card(id).findElements(By.cssSelector(".timeline li")))
                        .extracting(li -> li.getAttribute("data-state")).startsWith("REQUESTED").endsWith("COMPLETED");
                assertThat(card(id).findElement(By.cssSelector(".outcome")).getText()).isEqualTo("DRAINED");
            });
            eventually().until(() -> !page.findElements(
                    By.cssSelector("#recent-body tr[data-change-id='" + id + "']")).isEmpty());
            eventually().until(() -> !page.findElements(
                    By.cssSelector("#events-list li[data-type='renumber.change.completed']")).isEmpty());
            assertThat(((org.openqa.selenium.JavascriptExecutor) page).executeScript("return window.sameDocument"))
                    .as("all of it arrived without reloading the page").isEqualTo(true);
            chromium.screenshot(SHOTS.resolve("console-completed.png"));
            assertThat(net.addresses(net.a(), "v0")).contains(NEW).doesNotContain(OLD + "/24");
            printPageFigures("first load");
            page.navigate().refresh();
            eventually().until(() -> text(By.id("connection")).startsWith("connected"));
            printPageFigures("reload");
            assertNoPolicyViolations();
        }
    }

    @Test
    void refusalsShowTheAgentsOwnWordsAndACancelNeedsASecondClick() throws Exception {
        try (NetNsPeer server = NetNsPeer.start(net.a(), NetNsPeer.Stack.DUAL, "READY", "server", OLD, "7000");
             NetNsPeer client = NetNsPeer.start(net.b(), NetNsPeer.Stack.DUAL, "CONNECTED", "client", "any", OLD,
                     "7000", "1")) {
            logIn();
            plan("v0", OLD, "10.9.1.300/24", 60);
            eventually().until(() -> !page.findElements(By.cssSelector("#plan-result .refusal")).isEmpty());
            JsonNode refused = http.exec(SERVICE, "planChange", "v0", OLD, "10.9.1.300/24", "", 60L);
            assertThat(refused.path("value").path("valid").asBoolean()).isFalse();
            assertThat(text(By.cssSelector("#plan-result .agent-text")))
                    .isEqualTo(refused.path("value").path("refusal").asText()).isNotBlank();
            chromium.screenshot(SHOTS.resolve("console-refused.png"));

            // Planned here, but another operator starts the same change before the confirmation: the start is
            // refused by the agent, and the page shows that refusal as the agent worded it.
            plan("v0", OLD, NEW, 60);
            eventually().until(() -> !page.findElements(By.id("confirm-start")).isEmpty());
            JsonNode other = http.exec(SERVICE, "changeAddress", "v0", OLD, NEW, "", 60L);
            assertThat(other.path("status").asInt()).as(other.toString()).isEqualTo(200);
            String id = other.path("value").asText();
            eventually().until(() -> "DRAINING".equals(http.post(Map.of("type", "read",
                    "mbean", "renumber:type=AddressChange,id=" + id, "attribute", "State")).path("value").asText()));
            JsonNode again = http.exec(SERVICE, "changeAddress", "v0", OLD, NEW, "", 60L);
            assertThat(again.path("status").asInt()).as(again.toString()).isNotEqualTo(200);
            click(By.id("confirm-start"));
            eventually().until(() -> !page.findElements(By.cssSelector("#plan-result .refusal")).isEmpty());
            assertThat(text(By.cssSelector("#plan-result .agent-text"))).isEqualTo(again.path("error").asText());

            // The other operator's change shows up live; cancelling it takes two clicks.
            eventually().until(() -> "DRAINING".equals(card(id).getAttribute("data-state")));
            click(By.cssSelector("article.change[data-change-id='" + id + "'] button.cancel"));
            assertThat(card(id).getAttribute("data-state")).as("one click only asks").isEqualTo("DRAINING");
            click(By.cssSelector("#cancel-confirm button.confirm-cancel"));
            eventually().until(() -> "CANCELLED".equals(card(id).getAttribute("data-state")));
            assertThat(net.addresses(net.a(), "v0")).contains(OLD + "/24").doesNotContain(NEW);
            assertThat(client.ask("ping")).isEqualTo("PONG ok");
            assertNoPolicyViolations();
        }
    }

    @Test
    void aWarnedChangeWaitsForTheApplicationsAndTheConsoleAcknowledgesNothing() throws Exception {
        http.exec(SERVICE, "subscribe", "billing", "web", "");
        logIn();
        page.findElement(By.cssSelector("select[name='mode'] option[value='warning']")).click();
        fill("warningSeconds", "600");
        plan("v0", OLD, NEW, 60);
        eventually().until(() -> !page.findElements(By.id("confirm-start")).isEmpty());
        click(By.id("confirm-start"));
        String id = startedChangeId();

        eventually().until(() -> "WARNING".equals(card(id).getAttribute("data-state")));
        eventually().untilAsserted(() -> assertThat(card(id).getText()).contains("ready: 0 of 1"));
        eventually().untilAsserted(() -> assertThat(text(By.id("subscribers-body")))
                .contains("billing", "warned of " + id + ", not ready"));
        JsonNode acknowledged = http.post(Map.of("type", "read", "mbean", "renumber:type=AddressChange,id=" + id,
                "attribute", "Acknowledged"));
        assertThat(acknowledged.path("value")).as("only the application says it is ready").isEmpty();
        assertThat(net.addresses(net.a(), "v0")).as("nothing changes during the warning").doesNotContain(NEW);
        chromium.screenshot(SHOTS.resolve("console-warning.png"));

        click(By.cssSelector("article.change[data-change-id='" + id + "'] button.cancel"));
        click(By.cssSelector("#cancel-confirm button.confirm-cancel"));
        eventually().until(() -> "CANCELLED".equals(card(id).getAttribute("data-state")));
        assertNoPolicyViolations();
    }

    @Test
    void everyConsolePathAnswersAnAnonymousRequestWith401() throws Exception {
        HttpClient anonymous = HttpClient.newHttpClient();
        for (String path : List.of("/console", "/console/", "/console/index.html", "/console/console.js",
                "/console/console.css", "/console/anything-else")) {
            for (String method : List.of("GET", "HEAD", "POST")) {
                HttpResponse<String> response = anonymous.send(HttpRequest.newBuilder(origin().resolve(path))
                        .method(method, HttpRequest.BodyPublishers.noBody()).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(response.statusCode()).as(method + " " + path).isEqualTo(401);
            }
        }
    }

    /** The page's size and load time from the agent, as the browser measured them (printed, not asserted). */
    private void printPageFigures(String which) {
        @SuppressWarnings("unchecked")
        Map<String, Object> figures = (Map<String, Object>) ((org.openqa.selenium.JavascriptExecutor) page)
                .executeScript("""
                        const nav = performance.getEntriesByType('navigation')[0];
                        const files = performance.getEntriesByType('resource')
                            .filter(r => r.name.includes('/console/'));
                        return {
                          bytes: nav.decodedBodySize + files.reduce((n, r) => n + r.decodedBodySize, 0),
                          files: files.length + 1,
                          loadMs: Math.round(nav.loadEventEnd - nav.startTime),
                          domMs: Math.round(nav.domContentLoadedEventEnd - nav.startTime)
                        };""");
        System.out.println("CONSOLE PAGE (" + which + "): " + figures.get("files") + " files, " + figures.get("bytes")
                + " bytes of assets; DOMContentLoaded " + figures.get("domMs") + " ms, load " + figures.get("loadMs")
                + " ms from the agent on loopback");
    }

    /** The page broke none of its own Content-Security-Policy and raised no script error. */
    private void assertNoPolicyViolations() {
        List<String> messages = page.manage().logs().get("browser").getAll().stream()
                .map(LogEntry::getMessage).toList();
        assertThat(messages).noneMatch(m -> m.contains("Content Security Policy") || m.contains("Uncaught"));
    }
}
