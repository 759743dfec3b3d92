package passthrough.plugin.qemu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The golden launch scripts: each rendered byte for byte as kept in src/test/resources/golden, and each passes the
 * real {@code bash -n} and the real {@code shellcheck}. Regenerate after an intended change with
 * {@code -Dgolden.update=true} and read the diff.
 */
class GoldenScriptsTest {

    static final Path GOLDEN = Path.of("src/test/resources/golden").toAbsolutePath();

    static Stream<Arguments> goldens() {
        return Fixtures.all().stream().map(g -> Arguments.of(g.file(), g));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("goldens")
    void renderedAsKept(String file, Fixtures.Golden golden) throws Exception {
        String rendered = golden.render();
        Path path = GOLDEN.resolve(file);
        if (Boolean.getBoolean("golden.update")) Files.writeString(path, rendered, StandardCharsets.UTF_8);
        assertEquals(Files.readString(path, StandardCharsets.UTF_8), rendered, file);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("goldens")
    void bashParsesIt(String file, Fixtures.Golden golden) throws Exception {
        Tools.require("bash", "bash");
        Tools.Result r = Tools.run(List.of("bash", "-n", GOLDEN.resolve(file).toString()));
        assertEquals(0, r.exit(), r.out());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("goldens")
    void shellcheckFindsNothing(String file, Fixtures.Golden golden) throws Exception {
        Tools.require("shellcheck", "shellcheck");
        // every default check, style severity included (the optional --enable ones are matters of taste)
        Tools.Result r = Tools.run(List.of("shellcheck", "--shell=bash", "--severity=style", GOLDEN.resolve(file).toString()));
        assertEquals(0, r.exit(), r.out());
    }
}
