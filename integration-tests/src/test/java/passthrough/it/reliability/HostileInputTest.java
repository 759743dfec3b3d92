package passthrough.it.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import passthrough.fixtures.SampleHosts;
import passthrough.it.cli.Cli;

/**
 * Hostile inputs through the CLI, each refused before anything is written: hand-edited plans that aim outside the
 * root, into /proc, /sys, /dev or the journal; symbolic links in the host root that lead out of it (for the files
 * to change and for passthrough's own journal and lock); device addresses with shell metacharacters. "Nothing
 * written" is checked on the whole root (every file, mode and owner), on a canary file outside it that the links
 * aim at, and on the journal (no transaction). Profile files do not exist yet, so a profile naming an unknown
 * plugin cannot be tested.
 */
class HostileInputTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final AtomicInteger REFUSALS = new AtomicInteger();

    @TempDir
    Path tmp;
    HostCopy host;
    Path canary;
    Map<String, String> before;

    @BeforeEach
    void host() throws Exception {
        assumeTrue(CrashAtEveryStepTest.isRoot(), "skipped: not root — apply chowns like on a real host (CI runs as root)");
        host = HostCopy.of(SampleHosts.SEED1, tmp.resolve("host"));
        canary = Files.writeString(tmp.resolve("outside/shadow".replace("/", "-")), "root:$6$secret:19000:0:99999:7:::\n");
        before = host.snapshot();
    }

    @AfterAll
    static void report() {
        System.out.println("[reliability] HostileInputTest: " + REFUSALS.get() + " hostile inputs refused with nothing written");
    }

    /** The command is refused with {@code exit}, one clear line naming {@code named}, and nothing anywhere was written. */
    void refusedNothingWritten(Cli.Result r, int exit, String named) throws Exception {
        r.exits(exit);
        assertTrue(r.err().startsWith("passthrough: "), r.err());
        assertTrue(r.err().contains(named), "names " + named + ": " + r.err());
        assertFalse(r.err().contains("internal error") || r.err().contains("\tat "), r.err());
        HostCopy.assertSameHost(before, host.snapshot(), "nothing written in the root");
        assertEquals("root:$6$secret:19000:0:99999:7:::\n", Files.readString(canary), "the file outside the root");
        assertFalse(Files.exists(host.root.resolve(HostCopy.JOURNAL).resolve("transactions"))
                && Files.list(host.root.resolve(HostCopy.JOURNAL).resolve("transactions")).findAny().isPresent(), "no transaction");
        REFUSALS.incrementAndGet();
    }

    /** A real plan of the host, with its one file's path replaced (a hand edit). */
    Path planWritingTo(String path) throws Exception {
        Path plan = tmp.resolve("plan.json");
        Cli.run("--root", host.root.toString(), "plan", "--device", "65:00.0", "--out", plan.toString()).exits(0);
        ObjectNode json = (ObjectNode) JSON.readTree(plan.toFile());
        ObjectNode file = (ObjectNode) json.get("files").get(0);
        file.put("path", path);
        file.put("beforeDigest", "absent");
        file.put("after", "pwned\n");
        ((ArrayNode) json.get("commands")).removeAll();
        Files.writeString(plan, JSON.writeValueAsString(json));
        return plan;
    }

    Cli.Result apply(Path plan) {
        return Cli.run("--root", host.root.toString(), "apply", plan.toString(), "--yes", "--no-commands");
    }

    @ParameterizedTest
    @ValueSource(strings = {"../../etc/shadow", "etc/../../../etc/shadow", "/etc/shadow", "proc/cmdline",
        "sys/bus/pci/drivers/vfio-pci/new_id", "dev/sda", "var/lib/passthrough/transactions/x/manifest.json", "etc/x\u0000y",
        "etc//x", "./etc/x", ""})
    void aHandEditedPlanAimingOutsideTheRootOrAtTheKernelIsRefused(String path) throws Exception {
        Path plan = planWritingTo(path);
        before = host.snapshot();
        Cli.Result r = apply(plan);
        refusedNothingWritten(r, r.exit() == 2 ? 2 : 3, r.exit() == 2 ? "plan.json" : "refused: ");
    }

    @Test
    void aPlanMadeForAnotherRootIsRefused() throws Exception {
        Path plan = planWritingTo("etc/default/grub");
        ObjectNode json = (ObjectNode) JSON.readTree(plan.toFile());
        json.put("root", "/");
        Files.writeString(plan, JSON.writeValueAsString(json));
        refusedNothingWritten(apply(plan), 3, "was made for the root /");
    }

    @Test
    void aPlanWhoseFileLeadsThroughADirectoryLinkOutOfTheRootIsRefused() throws Exception {
        Files.createSymbolicLink(host.root.resolve("etc/evil"), tmp.resolve("outside-dir"));
        Files.createDirectories(tmp.resolve("outside-dir"));
        Path plan = planWritingTo("etc/evil/shadow");
        before = host.snapshot();
        refusedNothingWritten(apply(plan), 3, "symbolic link");
        assertFalse(Files.exists(tmp.resolve("outside-dir/shadow")));
    }

    /** etc/default/grub -> a file outside the root (the brief's /etc/shadow, here a canary so a bug cannot hurt CI). */
    @ParameterizedTest
    @ValueSource(strings = {"absolute", "relative", "directory"})
    void aLinkInTheHostRootLeadingOutOfItIsNeverWrittenThrough(String kind) throws Exception {
        Path grub = host.root.resolve("etc/default/grub");
        String original = Files.readString(grub);
        switch (kind) {
            case "absolute" -> {
                // inside a chroot this would be the root's own file; the kernel, writing from outside, follows it out
                Files.writeString(host.root.resolve("etc/default/grub.real"), original);
                Files.delete(grub);
                Files.createSymbolicLink(grub, canary);
            }
            case "relative" -> {
                Files.delete(grub);
                Files.createSymbolicLink(grub, grub.getParent().relativize(canary));
            }
            default -> {
                Path defaults = host.root.resolve("etc/default");
                Path outside = Files.createDirectories(tmp.resolve("outside-default"));
                Files.writeString(outside.resolve("grub"), original);
                Files.move(defaults, tmp.resolve("moved-default"));
                Files.createSymbolicLink(defaults, outside);
                canary = outside.resolve("grub");
                Files.writeString(canary, "root:$6$secret:19000:0:99999:7:::\n");
            }
        }
        before = host.snapshot();
        Cli.Result r = Cli.run("--root", host.root.toString(), "apply", "--device", "65:00.0", "--yes", "--no-commands");
        assertTrue(r.exit() == 3 || r.exit() == 2, "refused: exit " + r.exit() + "\n" + r.err());
        refusedNothingWritten(r, r.exit(), "etc/default");
    }

    @ParameterizedTest
    @ValueSource(strings = {"var -> outside", "var/lib/passthrough -> outside", "lock -> canary", "transactions -> outside"})
    void passthroughsOwnJournalAndLockAreNeverFollowedOutOfTheRoot(String plant) throws Exception {
        Path journal = host.root.resolve(HostCopy.JOURNAL);
        Path outside = Files.createDirectories(tmp.resolve("outside-journal"));
        switch (plant) {
            case "var -> outside" -> Files.createSymbolicLink(host.root.resolve("var"), outside);
            case "var/lib/passthrough -> outside" -> {
                Files.createDirectories(journal.getParent());
                Files.createSymbolicLink(journal, outside);
            }
            case "lock -> canary" -> {
                Files.createDirectories(journal);
                Files.createSymbolicLink(journal.resolve("lock"), canary);
            }
            default -> {
                Files.createDirectories(journal);
                Files.createSymbolicLink(journal.resolve("transactions"), outside);
            }
        }
        before = host.snapshot();
        Cli.Result r = Cli.run("--root", host.root.toString(), "apply", "--device", "65:00.0", "--yes", "--no-commands");
        r.exits(3);
        assertTrue(r.err().contains("symbolic link") || r.err().contains("link"), r.err());
        HostCopy.assertSameHost(before, host.snapshot(), "nothing written in the root");
        assertEquals("root:$6$secret:19000:0:99999:7:::\n", Files.readString(canary), "the file outside the root");
        try (var s = Files.list(outside)) {
            assertEquals(List.of(), s.toList(), "nothing written outside");
        }
        REFUSALS.incrementAndGet();
    }

    @ParameterizedTest
    @ValueSource(strings = {"65:00.0; rm -rf /", "$(reboot)", "`id`", "65:00.0\n0000:17:00.0", "../../../../etc/shadow",
        "0000:65:00.0 && true", "65:00.0|sh", "65:00.0'", "\u0000", "65:20.0", "100000000:65:00.0", "010000:65:00.0", "10000:65:00.0;id"})
    void aDeviceAddressWithShellMetacharactersIsAUsageError(String device) throws Exception {
        for (String command : List.of("plan", "apply")) {
            Cli.Result r = command.equals("plan")
                    ? Cli.run("--root", host.root.toString(), "plan", "--device", device)
                    : Cli.run("--root", host.root.toString(), "apply", "--device", device, "--yes");
            refusedNothingWritten(r, 2, "is not a PCI address");
        }
        Cli.Result verify = Cli.run("--root", host.root.toString(), "verify", "--device", device);
        refusedNothingWritten(verify, 2, "is not a PCI address");
    }
}
