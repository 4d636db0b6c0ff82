package org.renumber.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.renumber.domain.LegacyApplication;
import org.renumber.domain.Subscription;

class ApplicationsFileTest {

    @TempDir
    Path stateDir;

    @Test
    void declaredApplicationsRoundTripInAnOwnerOnlyFile() throws Exception {
        ApplicationsFile file = new ApplicationsFile(stateDir);
        List<LegacyApplication> applications = List.of(
                new LegacyApplication("web", "front", "nginx: master", "systemctl restart nginx", 10, 300),
                new LegacyApplication("batch", "", "python3 .*batch\\.py", "", 0, 1));

        file.save(applications);

        assertThat(new ApplicationsFile(stateDir).load()).isEqualTo(applications);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(stateDir.resolve("applications.json"))))
                .isEqualTo("rw-------");
    }

    @Test
    void applicationsDeclaredBeforeTheStartupTimeWasASettingLoadWithTheSixtySecondsTheyHad() throws Exception {
        Files.writeString(stateDir.resolve("applications.json"), """
                [ {
                  "name" : "web",
                  "group" : "front",
                  "processPattern" : "nginx: master",
                  "restartCommand" : "systemctl restart nginx",
                  "graceSeconds" : 10
                } ]
                """);

        assertThat(new ApplicationsFile(stateDir).load()).containsExactly(
                new LegacyApplication("web", "front", "nginx: master", "systemctl restart nginx", 10, 60));
    }

    @Test
    void aStartupTimeOutOfRangeStopsTheLoadWithItsName() throws Exception {
        Files.writeString(stateDir.resolve("applications.json"), "[{\"name\":\"web\",\"group\":\"\","
                + "\"processPattern\":\"x\",\"restartCommand\":\"\",\"graceSeconds\":1,\"startupSeconds\":0}]");

        Exception e = assertThrows(Exception.class, () -> new ApplicationsFile(stateDir).load());

        assertThat(e.getMessage())
                .contains("applications.json", "startupSeconds 0 is out of range", "fix or remove it");
    }

    @Test
    void anInvalidFileStopsTheLoadWithItsName() throws Exception {
        Files.writeString(stateDir.resolve("applications.json"),
                "[{\"name\":\"web\",\"group\":\"\",\"processPattern\":\"(\",\"restartCommand\":\"\",\"graceSeconds\":1}]");

        Exception e = assertThrows(Exception.class, () -> new ApplicationsFile(stateDir).load());

        assertThat(e.getMessage()).contains("applications.json", "fix or remove it");
    }

    @Test
    void subscriptionsJournaledBeforePidsExistedLoadWithoutOne() throws Exception {
        Files.createDirectories(stateDir);
        Files.writeString(stateDir.resolve("subscriptions.json"),
                "[{\"subscriberId\":\"app\",\"group\":\"web\",\"scope\":\"\"}]");
        FileJournal journal = new FileJournal(stateDir);

        assertThat(journal.subscriptions()).containsExactly(new Subscription("app", "web", ""));

        journal.saveSubscriptions(List.of(new Subscription("app", "web", "", 4242)));
        assertThat(new FileJournal(stateDir).subscriptions().get(0).pid()).isEqualTo(4242);
    }
}
