package org.renumber.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The README's client snippet is the one {@link ReadmeClientExample} compiles, line for line. */
class ReadmeClientExampleTest {

    private static final Path ROOT = Path.of(System.getProperty("renumber.root", "."));

    @Test
    void theReadmeShowsTheSnippetThatCompiles() throws IOException {
        String readme = Files.readString(ROOT.resolve("README.md"));
        int section = readme.indexOf("## Java applications: the client library");
        int start = readme.indexOf("```java\n", section) + "```java\n".length();
        List<String> shown = trimmed(readme.substring(start, readme.indexOf("```", start)));
        String source = Files.readString(ROOT.resolve(
                "renumber-client/src/test/java/org/renumber/client/ReadmeClientExample.java"));
        List<String> compiled = trimmed(source.substring(source.indexOf("// README begin") + "// README begin".length(),
                source.indexOf("// README end")));

        assertThat(section).isPositive();
        assertThat(shown).isEqualTo(compiled);
    }

    private static List<String> trimmed(String text) {
        return text.lines().map(String::strip).filter(line -> !line.isEmpty()).toList();
    }
}
