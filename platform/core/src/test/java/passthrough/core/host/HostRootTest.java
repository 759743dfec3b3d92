package passthrough.core.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HostRootTest {
    @TempDir
    Path dir;
    Path root;

    @BeforeEach
    void makeRoot() throws Exception {
        root = dir.resolve("host");
        Files.createDirectories(root.resolve("sys/devices/pci0000:00/0000:00:01.0/0000:01:00.0"));
        Files.createDirectories(root.resolve("sys/bus/pci/devices"));
        Files.writeString(root.resolve("sys/devices/pci0000:00/0000:00:01.0/0000:01:00.0/vendor"), "0x10de\n");
        Files.createSymbolicLink(root.resolve("sys/bus/pci/devices/0000:01:00.0"),
                Path.of("../../../devices/pci0000:00/0000:00:01.0/0000:01:00.0"));
        Files.createDirectories(root.resolve("etc"));
        Files.writeString(dir.resolve("secret"), "outside the root\n");
        Files.writeString(root.resolve("secret"), "inside the root\n");
    }

    /** An unpacked initramfs has no sys/: ofTree reads it all the same, absolute links staying inside it. */
    @Test
    void ofTreeReadsADirectoryWithoutSysLikeARoot() throws Exception {
        Path tree = dir.resolve("initramfs");
        Files.createDirectories(tree.resolve("usr/bin"));
        Files.writeString(tree.resolve("usr/bin/sh"), "#!\n");
        Files.createSymbolicLink(tree.resolve("bin"), Path.of("/usr/bin"));
        Files.createSymbolicLink(tree.resolve("escape"), Path.of("../../secret"));
        HostRoot t = HostRoot.ofTree(tree);
        assertEquals(Optional.of("usr/bin/sh"), t.resolve("/bin/sh"));
        assertEquals(Optional.empty(), t.resolve("/bin/bash"));
        assertEquals(Optional.empty(), t.resolve("escape"), "../.. stops at the top, where there is no secret");
        assertThrows(java.io.IOException.class, () -> HostRoot.ofTree(dir.resolve("missing")));
    }

    @Test
    void followsRelativeSysfsLinks() throws Exception {
        HostRoot h = HostRoot.open(root, null);
        assertEquals(Optional.of("0x10de\n"), h.readText("sys/bus/pci/devices/0000:01:00.0/vendor"));
        assertEquals(Optional.of("sys/devices/pci0000:00/0000:00:01.0/0000:01:00.0"), h.resolve("sys/bus/pci/devices/0000:01:00.0"));
    }

    @Test
    void absoluteLinksAreResolvedInsideTheRootLikeChroot() throws Exception {
        Files.createSymbolicLink(root.resolve("etc/grub"), Path.of("/secret"));
        assertEquals(Optional.of("inside the root\n"), HostRoot.open(root, null).readText("etc/grub"));
    }

    @Test
    void dotDotNeverClimbsAboveTheRoot() throws Exception {
        Files.createSymbolicLink(root.resolve("etc/up"), Path.of("../../../../../secret"));
        HostRoot h = HostRoot.open(root, null);
        assertEquals(Optional.of("inside the root\n"), h.readText("etc/up"));
        assertEquals(Optional.of("inside the root\n"), h.readText("../../secret"));
    }

    @Test
    void linkLoopsAndDanglingLinksReadAsAbsent() throws Exception {
        Files.createSymbolicLink(root.resolve("etc/a"), Path.of("b"));
        Files.createSymbolicLink(root.resolve("etc/b"), Path.of("a"));
        Files.createSymbolicLink(root.resolve("etc/gone"), Path.of("nowhere"));
        HostRoot h = HostRoot.open(root, null);
        assertEquals(Optional.empty(), h.readText("etc/a"));
        assertEquals(Optional.empty(), h.readText("etc/gone"));
        assertFalse(h.exists("etc/gone"));
        assertEquals(Optional.of("nowhere"), h.readLink("etc/gone"));
    }

    /** The direct read (O_NOFOLLOW in a resolved directory) and the link walk must agree on every kind of entry. */
    @Test
    void filesLinksAndOddPathsReadTheSameWhetherTheDeviceDirectoryWasTestedFirstOrNot() throws Exception {
        Files.createSymbolicLink(root.resolve("etc/abs-link"), Path.of("/secret"));
        Files.writeString(root.resolve("etc/plain"), "plain\n");
        for (boolean existsFirst : new boolean[] {false, true}) {
            HostRoot r = HostRoot.open(root, null);
            String dev = "sys/bus/pci/devices/0000:01:00.0";
            if (existsFirst) assertTrue(r.exists(dev));
            assertEquals(Optional.of("0x10de\n"), r.readText(dev + "/vendor"));
            assertEquals(Optional.empty(), r.readText(dev + "/missing"));
            assertEquals(Optional.of("inside the root\n"), r.readText("etc/abs-link"));
            assertEquals(Optional.of("plain\n"), r.readText("/etc/plain/"));
            assertEquals(Optional.empty(), r.readText("etc/plain/child"), "a file used as a directory");
            assertEquals(Optional.of("inside the root\n"), r.readText("etc/../secret"));
            assertEquals(Optional.empty(), r.readLink("etc/plain"), "not a link");
            assertEquals(Optional.empty(), r.readLink("etc/missing"));
            assertEquals(Optional.of("/secret"), r.readLink("etc/abs-link"));
            assertThrows(UnreadableFileException.class, () -> r.readText(dev));
            assertThrows(UnreadableFileException.class, () -> r.readText("etc/.."));
        }
    }

    @Test
    void aDirectoryWhereAFileIsExpectedIsUnreadableNamingThePath() throws Exception {
        Files.createDirectories(root.resolve("etc/os-release"));
        UnreadableFileException e = assertThrows(UnreadableFileException.class,
                () -> HostRoot.open(root, null).readText("etc/os-release"));
        assertTrue(e.getMessage().startsWith("etc/os-release: "), e.getMessage());
    }

    @Test
    void refusesRootsThatCannotBeHosts() throws Exception {
        HostRootException missing = assertThrows(HostRootException.class, () -> HostRoot.open(dir.resolve("nope"), null));
        assertTrue(missing.getMessage().contains("no such directory"));
        Path file = Files.writeString(dir.resolve("file"), "x");
        assertTrue(assertThrows(HostRootException.class, () -> HostRoot.open(file, null)).getMessage().contains("not a directory"));
        Path empty = Files.createDirectories(dir.resolve("empty"));
        assertTrue(assertThrows(HostRootException.class, () -> HostRoot.open(empty, null)).getMessage().contains("no sys/"));
    }

    @Test
    void recordsEveryAccessForReports() throws Exception {
        HostAccessLog log = new HostAccessLog();
        HostRoot h = HostRoot.open(root, log);
        h.readText("sys/bus/pci/devices/0000:01:00.0/vendor");
        h.list("sys/bus/pci/devices");
        h.exists("secret");
        assertEquals("../../../devices/pci0000:00/0000:00:01.0/0000:01:00.0", log.symlinks().get("sys/bus/pci/devices/0000:01:00.0"));
        assertTrue(log.files().containsKey("sys/devices/pci0000:00/0000:00:01.0/0000:01:00.0/vendor"));
        assertTrue(log.directories().contains("sys/bus/pci/devices"));
        assertEquals(List.of("secret"), List.copyOf(log.existenceOnly()));
    }
}
