package lenet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import java.util.regex.Pattern;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's table of exit codes is the one the code uses: 0, 1, 2 (the constants of {@link Cli}),
 * 130 after SIGINT and 143 after SIGTERM (checked for real by {@link InterruptTest}). The table is
 * read from README.md, so a change to one side alone fails here.
 */
class ExitCodesTest {
    static Map<Integer, String> readmeTable() throws IOException {
        List<String> lines = Files.readAllLines(Path.of("README.md"));
        int at = lines.indexOf("### Errors and exit codes");
        assertTrue(at >= 0, "README has a section 'Errors and exit codes'");
        Map<Integer, String> table = new LinkedHashMap<>();
        for (String line : lines.subList(at, lines.size())) {
            if (line.startsWith("## ")) {
                break;
            }
            var m = Pattern.compile("\\|\\s*(\\d+)\\s*\\|(.*)\\|").matcher(line);
            if (m.matches()) {
                table.put(Integer.parseInt(m.group(1)), m.group(2).strip());
            }
        }
        return table;
    }

    @Test
    void theReadmeTableIsTheCodes() throws IOException {
        Map<Integer, String> table = readmeTable();
        assertEquals(List.of(Cli.OK, Cli.ERROR, Cli.USAGE, TrainCommand.INTERRUPTED, 143), List.copyOf(table.keySet()));
        assertTrue(table.get(0).startsWith("success"));
        assertTrue(table.get(1).startsWith("error"));
        assertTrue(table.get(2).startsWith("usage error"));
        assertTrue(table.get(130).contains("SIGINT") && !table.get(130).contains("SIGTERM"), table.get(130));
        assertTrue(table.get(143).contains("SIGTERM"), table.get(143));
    }

    @Test
    void zeroOneAndTwo(@TempDir Path dir) {
        assertEquals(0, CliTest.run("shapes").code());
        CliTest.Result one = CliTest.run("eval", dir.resolve("none.ckpt").toString());
        assertEquals(1, one.code(), one.err());
        CliTest.Result two = CliTest.run("train", "--profile", "--engine", "java");
        assertEquals(2, two.code(), two.err());
        assertFalse(two.err().contains("Exception"), two.err());
    }
}
