package passthrough.it.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import passthrough.cli.Main;
import passthrough.fixtures.HostWriter;
import passthrough.fixtures.SampleHost;

/** Runs the CLI in-process and finds, copies and writes sample hosts. */
public final class Cli {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Cli() {
    }

    public record Result(int exit, String out, String err) {
        public JsonNode json() {
            try {
                return JSON.readTree(out);
            } catch (IOException e) {
                throw new AssertionError("stdout is not JSON: " + e.getMessage() + "\n" + out + "\nstderr: " + err, e);
            }
        }

        /** Asserts an exit code and shows both streams when it is wrong. */
        public Result exits(int expected) {
            assertEquals(expected, exit, () -> "exit code\nstdout:\n" + out + "\nstderr:\n" + err);
            return this;
        }
    }

    public static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Result(code, out.toString(), err.toString());
    }

    public static Path repo() {
        String p = System.getProperty("passthrough.repo");
        assertTrue(p != null && !p.isBlank(), "system property passthrough.repo is not set (surefire sets it)");
        return Path.of(p).toAbsolutePath().normalize();
    }

    public static Path sample(String name) {
        Path p = repo().resolve("samples/hosts").resolve(name);
        assertTrue(Files.isDirectory(p.resolve("sys")), p + " is missing; run samples/regenerate");
        return p;
    }

    static Path write(SampleHost host, Path dir) {
        try {
            return HostWriter.write(host, dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Copies a tree, keeping symbolic links as links (with the same target text). */
    public static Path copyTree(Path src, Path dst) throws IOException {
        Files.walkFileTree(src, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                Files.createDirectories(dst.resolve(src.relativize(dir).toString()));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Path to = dst.resolve(src.relativize(file).toString());
                if (Files.isSymbolicLink(file)) Files.createSymbolicLink(to, Files.readSymbolicLink(file));
                else Files.copy(file, to, LinkOption.NOFOLLOW_LINKS);
                return FileVisitResult.CONTINUE;
            }
        });
        return dst;
    }

    /** Runs an external program; returns exit code and stdout (stderr is kept apart). */
    static Result exec(Path dir, String... command) throws IOException, InterruptedException {
        Path errFile = Files.createTempFile("exec", ".err");
        try {
            Process p = new ProcessBuilder(command).directory(dir == null ? null : dir.toFile())
                    .redirectError(errFile.toFile()).start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError(String.join(" ", command) + ": timed out");
            }
            return new Result(p.exitValue(), out, Files.readString(errFile));
        } finally {
            Files.deleteIfExists(errFile);
        }
    }

    /** Finding codes in `check --json` output. */
    static List<String> codes(JsonNode check) {
        List<String> out = new ArrayList<>();
        check.get("findings").forEach(f -> out.add(f.get("code").asText()));
        return out;
    }

    static JsonNode finding(JsonNode check, String code) {
        for (JsonNode f : check.get("findings")) if (f.get("code").asText().equals(code)) return f;
        throw new AssertionError("no finding " + code + " in " + check.get("findings").toPrettyString());
    }
}
