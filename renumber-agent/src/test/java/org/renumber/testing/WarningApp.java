package org.renumber.testing;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.renumber.client.AddressChangeClient;
import org.renumber.client.AddressChangeEvent;
import org.renumber.client.AddressChangeHandler;

/**
 * A Java application in its own JVM that uses the client library and prepares for a warned change at its own pace:
 * its warning handler completes only when the test says {@code ready} on stdin (never, if the test never does).
 *
 * <pre>
 * WarningApp JMX_URL SUBSCRIBER_ID GROUP     (RENUMBER_USER / RENUMBER_PASSWORD in the environment)
 * stdout: SUBSCRIBED, EVENT type changeId
 * stdin:  ready (complete the pending warning) | exit
 * </pre>
 */
public final class WarningApp {

    private static volatile CompletableFuture<Void> pending = new CompletableFuture<>();

    public static void main(String[] args) throws Exception {
        AddressChangeHandler handler = new AddressChangeHandler() {
            @Override
            public CompletionStage<Void> warning(AddressChangeEvent event) {
                say("EVENT warning " + event.changeId());
                return pending;
            }

            @Override
            public void started(AddressChangeEvent event) {
                say("EVENT started " + event.changeId());
            }

            @Override
            public void completed(AddressChangeEvent event) {
                say("EVENT completed " + event.changeId());
            }

            @Override
            public void cancelled(AddressChangeEvent event) {
                say("EVENT cancelled " + event.changeId());
            }
        };
        try (AddressChangeClient client = AddressChangeClient.builder(args[0])
                .credentials(System.getenv("RENUMBER_USER"), System.getenv("RENUMBER_PASSWORD"))
                .connect()) {
            client.subscribe(args[1], args[2], "", handler);
            say("SUBSCRIBED");
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            for (String line = in.readLine(); line != null && !line.strip().equals("exit"); line = in.readLine()) {
                if (line.strip().equals("ready")) {
                    pending.complete(null);
                    say("PREPARED");
                } else {
                    say("ERROR unknown command " + line);
                }
            }
        }
        System.exit(0);
    }

    private static synchronized void say(String line) {
        System.out.println(line);
        System.out.flush();
    }
}
