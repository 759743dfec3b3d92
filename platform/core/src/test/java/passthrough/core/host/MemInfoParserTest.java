package passthrough.core.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class MemInfoParserTest {
    static final String PATH = "proc/meminfo";

    @Test
    void readsMemTotalInMiB() {
        assertEquals(64248, MemInfoParser.memTotalMiB("MemTotal:       65790228 kB\nMemFree:        60000000 kB\n", PATH));
        assertEquals(1, MemInfoParser.memTotalMiB("Active: 1 kB\nMemTotal: 2047 kB", PATH), "rounded down");
    }

    @Test
    void refusesWhatTheKernelDoesNotWrite() {
        for (String bad : List.of("", "MemFree: 1 kB\n", "MemTotal: 12 MB\n", "MemTotal: kB\n", "MemTotal: -5 kB\n",
                "MemTotal: 0x10 kB\n", "MemTotal: 1000 kB\n", "MemTotal: 99999999999999999999 kB\n",
                "MemTotal: 4096 kB\nMemTotal: 4096 kB\n", "MemTotal: \u0664\u0660\u0669\u0666 kB\n")) {
            MalformedHostFileException e = assertThrows(MalformedHostFileException.class,
                    () -> MemInfoParser.memTotalMiB(bad, PATH), bad);
            assertTrue(e.getMessage().startsWith(PATH), e.getMessage());
        }
        assertEquals(2, assertThrows(MalformedHostFileException.class,
                () -> MemInfoParser.memTotalMiB("MemTotal: 4096 kB\nMemTotal: 4096 kB\n", PATH)).line());
    }
}
