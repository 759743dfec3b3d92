package passthrough.plugin.qemu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import passthrough.api.Firmware;
import passthrough.api.GuestSlot;
import passthrough.api.PassedFunction;
import passthrough.api.PciAddress;
import passthrough.api.VirtType;
import passthrough.api.VmDisk;
import passthrough.api.VmNetwork;
import passthrough.api.VmSpec;

/**
 * The generated script run for real by bash against a temporary sysfs and /dev, with a stub QEMU that records its argv
 * and which driver holds each function while it runs. Only the kernel is faked: {@code drivers_probe} and each driver's
 * {@code unbind} are named pipes served by a small bash "kernel" (binding by driver_override, creating /dev/vfio/GROUP
 * when vfio-pci binds), so the script's writes happen exactly as on a host.
 */
class LaunchScriptRunTest {

    /** The stand-in kernel. A pipe write returns before the reader acted (a sysfs write returns after), so a probe of a
     *  function that is still bound waits a moment for the unbind that was written before it. */
    private static final String FAKE_KERNEL = """
            #!/bin/bash
            sys=$1
            dev=$2
            lock=$sys/../kernel.lock
            log=$sys/../kernel.log
            probe() {
              local a d o g i
              while :; do
                read -r a <"$sys/bus/pci/drivers_probe" || continue
                d=$sys/bus/pci/devices/$a
                for ((i = 0; i < 200; i++)); do [ -L "$d/driver" ] || break; sleep 0.05; done
                (
                  flock 9
                  o=$(cat "$d/driver_override")
                  if [ ! -L "$d/driver" ] && [ -n "$o" ] && [ "$o" != "(null)" ] && [ -d "$sys/bus/pci/drivers/$o" ]; then
                    ln -s "$sys/bus/pci/drivers/$o" "$d/driver"
                    echo "probe $a $o" >>"$log"
                    if [ "$o" = vfio-pci ]; then
                      g=$(basename "$(readlink "$d/iommu_group")")
                      mkdir -p "$dev/vfio"
                      : >"$dev/vfio/$g"
                    fi
                  fi
                ) 9>"$lock"
              done
            }
            unbind() {
              local drv=$1 a d
              while :; do
                read -r a <"$sys/bus/pci/drivers/$drv/unbind" || continue
                d=$sys/bus/pci/devices/$a
                (
                  flock 9
                  if [ -L "$d/driver" ] && [ "$(basename "$(readlink "$d/driver")")" = "$drv" ]; then
                    rm "$d/driver"
                    echo "unbind $a $drv" >>"$log"
                  fi
                ) 9>"$lock"
              done
            }
            probe &
            for drv in "$sys"/bus/pci/drivers/*; do
              unbind "${drv##*/}" &
            done
            wait
            """;

    private static final String STUB_QEMU = """
            #!/bin/bash
            # STUB_WAIT: run until a TERM, as QEMU does (the trap is set before the files that say QEMU runs)
            if [ -n "${STUB_WAIT:-}" ]; then trap 'echo TERM >"$STUB_OUT/signal"; exit 0' TERM; fi
            printf '%s\\0' "$0" "$@" >"$STUB_OUT/argv"
            for f in $STUB_FUNCTIONS; do
              l=$STUB_SYS/bus/pci/devices/$f/driver
              if [ -L "$l" ]; then echo "$f $(basename "$(readlink "$l")")"; else echo "$f none"; fi
            done >"$STUB_OUT/drivers"
            if [ -n "${STUB_WAIT:-}" ]; then
              sleep 60 &
              wait
            fi
            exit "${STUB_EXIT:-0}"
            """;

    private static final List<String> FUNCTIONS = List.of("0000:65:00.0", "0000:65:00.1", "0000:66:00.0");

    @TempDir
    Path tmp;
    Path sys;
    Path dev;
    Path out;
    Path state;
    Path files;
    Process kernel;

    @BeforeEach
    void tree() throws Exception {
        Tools.require("bash", "bash");
        Tools.require("flock", "util-linux");
        sys = Files.createDirectories(tmp.resolve("root/sys"));
        dev = Files.createDirectories(tmp.resolve("root/dev"));
        out = Files.createDirectories(tmp.resolve("out"));
        state = tmp.resolve("state");
        // a directory whose name bash and QEMU must both take literally
        files = Files.createDirectories(tmp.resolve("VM files, \"quoted\" and it's $HOME"));
        Files.writeString(files.resolve("OVMF_CODE.fd"), "code");
        Files.writeString(files.resolve("OVMF_VARS.fd"), "vars template");
        Files.writeString(files.resolve("disk 1.img"), "");
        for (String drv : List.of("vfio-pci", "pci-stub", "snd_hda_intel", "xhci_hcd")) {
            mkfifo(Files.createDirectories(sys.resolve("bus/pci/drivers/" + drv)).resolve("unbind"));
        }
        mkfifo(sys.resolve("bus/pci/drivers_probe"));
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        executable(bin.resolve("qemu-system-x86_64"), STUB_QEMU);
        executable(bin.resolve("modprobe"), "#!/bin/sh\necho \"modprobe $*\" >>\"$STUB_OUT/modprobe\"\nexit 1\n");
        executable(tmp.resolve("fake-kernel"), FAKE_KERNEL);
    }

    @AfterEach
    void stopKernel() {
        if (kernel != null) {
            kernel.descendants().forEach(ProcessHandle::destroy);
            kernel.destroy();
        }
    }

    private void startKernel() throws Exception {
        kernel = new ProcessBuilder("bash", tmp.resolve("fake-kernel").toString(), sys.toString(), dev.toString())
                .redirectErrorStream(true).redirectOutput(tmp.resolve("kernel.out").toFile()).start();
    }

    private static void mkfifo(Path p) throws Exception {
        assertEquals(0, Tools.run(List.of("mkfifo", p.toString())).exit());
    }

    private static void executable(Path p, String text) throws Exception {
        Files.writeString(p, text);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    /** A function in the fake sysfs: its group, class and driver (null: none). */
    private void function(String address, int group, String pciClass, String driver) throws Exception {
        Path d = Files.createDirectories(sys.resolve("bus/pci/devices/" + address));
        Files.writeString(d.resolve("class"), pciClass + "\n");
        Files.writeString(d.resolve("driver_override"), "(null)\n");
        Path g = Files.createDirectories(sys.resolve("kernel/iommu_groups/" + group + "/devices"));
        Files.createSymbolicLink(d.resolve("iommu_group"), g.getParent());
        Files.createSymbolicLink(g.resolve(address), d);
        if (driver != null) Files.createSymbolicLink(d.resolve("driver"), sys.resolve("bus/pci/drivers/" + driver));
    }

    private void vfioNode(int group) throws Exception {
        Files.createFile(Files.createDirectories(dev.resolve("vfio")).resolve(Integer.toString(group)));
    }

    /** The card of seed 1 (two functions, group 34) and a second card (group 35), all on {@code driver}. */
    private void cards(String driver) throws Exception {
        function("0000:65:00.0", 34, "0x030000", driver);
        function("0000:65:00.1", 34, "0x040300", driver);
        function("0000:66:00.0", 35, "0x030200", driver);
    }

    private VmSpec vm() {
        Firmware fw = new Firmware(files.resolve("OVMF_CODE.fd").toString(), files.resolve("OVMF_VARS.fd").toString(), "raw",
                false, null);
        return new VmSpec("run-vm", 1024, 2, VirtType.QEMU, fw,
                List.of(new VmDisk(files.resolve("disk 1.img").toString(), "raw", null)), null,
                VmNetwork.of(VmNetwork.Kind.USER), VmSpec.Graphics.NONE,
                List.of(new GuestSlot(1, List.of(new PassedFunction(PciAddress.parse("0000:65:00.0"), 0),
                                new PassedFunction(PciAddress.parse("0000:65:00.1"), 1))),
                        new GuestSlot(2, List.of(new PassedFunction(PciAddress.parse("0000:66:00.0"), 0)))),
                null, files.resolve("serial.log").toString());
    }

    private Path script() throws Exception {
        String text = new QemuHypervisor().define(Fixtures.facts(), vm(), List.of()).document();
        Path p = tmp.resolve("run-vm.sh");
        executable(p, text);
        return p;
    }

    private Tools.Result run(String... extra) throws Exception {
        return run(Map.of(), extra);
    }

    private Tools.Result run(Map<String, String> moreEnv, String... extra) throws Exception {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PASSTHROUGH_VM_SYSFS", sys.toString());
        env.put("PASSTHROUGH_VM_DEV", dev.toString());
        env.put("PASSTHROUGH_VM_QEMU", tmp.resolve("bin/qemu-system-x86_64").toString());
        env.put("PASSTHROUGH_VM_MODPROBE", tmp.resolve("bin/modprobe").toString());
        env.put("PASSTHROUGH_VM_STATE", state.toString());
        env.put("STUB_OUT", out.toString());
        env.put("STUB_SYS", sys.toString());
        env.put("STUB_FUNCTIONS", String.join(" ", FUNCTIONS));
        env.putAll(moreEnv);
        List<String> argv = new ArrayList<>(List.of("bash", script().toString()));
        argv.addAll(Arrays.asList(extra));
        return Tools.run(argv, env, tmp);
    }

    private List<String> recordedArgv() throws Exception {
        byte[] raw = Files.readAllBytes(out.resolve("argv"));
        return nulSeparated(raw);
    }

    private static List<String> nulSeparated(byte[] raw) {
        String s = new String(raw, StandardCharsets.UTF_8);
        assertTrue(s.endsWith("\0"), "NUL-terminated arguments");
        return List.of(s.substring(0, s.length() - 1).split("\0", -1));
    }

    private String driverOf(String address) throws Exception {
        Path l = sys.resolve("bus/pci/devices/" + address + "/driver");
        return Files.isSymbolicLink(l) ? Files.readSymbolicLink(l).getFileName().toString() : "none";
    }

    private String kernelLog() throws Exception {
        Path log = sys.resolve("../kernel.log");
        return Files.exists(log) ? Files.readString(log) : "";
    }

    @Test
    void functionsOnVfioPciStartQemuWithTheScriptsArrayAsItsArgv() throws Exception {
        cards("vfio-pci");
        vfioNode(34);
        vfioNode(35);
        startKernel();
        Tools.Result r = run();
        assertEquals(0, r.exit(), r.out());
        List<String> argv = recordedArgv();
        assertEquals(tmp.resolve("bin/qemu-system-x86_64").toString(), argv.get(0));
        // --print-argv gives the same array without checking or running anything
        Tools.Result printed = run("--print-argv");
        assertEquals(0, printed.exit(), printed.out());
        assertEquals(argv, nulSeparated(printed.out().getBytes(StandardCharsets.UTF_8)));
        // values reach QEMU literally: the path with a space, quotes, an apostrophe and $HOME; its comma doubled
        String code = files.resolve("OVMF_CODE.fd").toString();
        assertTrue(argv.contains("if=pflash,format=raw,unit=0,readonly=on,file=" + code.replace(",", ",,")), argv.toString());
        Path vars = state.resolve("run-vm/OVMF_VARS.fd");
        assertTrue(argv.contains("if=pflash,format=raw,unit=1,file=" + vars.toString().replace(",", ",,")), argv.toString());
        assertTrue(argv.contains("file:" + files.resolve("serial.log")), argv.toString());
        assertTrue(argv.contains("vfio-pci,host=0000:65:00.0,id=hostdev1-0,bus=rp1,addr=0x0,multifunction=on"), argv.toString());
        assertTrue(argv.contains("vfio-pci,host=0000:66:00.0,id=hostdev2-0,bus=rp2,addr=0x0"), argv.toString());
        assertTrue(argv.contains("pcie-root-port,id=rp2,bus=pcie.0,chassis=2,addr=0x11"), argv.toString());
        // the VM's own variables, copied from the template into a root-only directory
        assertEquals("vars template", Files.readString(vars));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(vars.getParent())));
        assertEquals("", kernelLog(), "nothing was moved");
        for (String f : FUNCTIONS) assertEquals("vfio-pci", driverOf(f));
    }

    @Test
    void aMissingVfioGroupDeviceStopsBeforeQemu() throws Exception {
        cards("vfio-pci");
        vfioNode(34);
        startKernel();
        Tools.Result r = run();
        assertNotEquals(0, r.exit(), r.out());
        assertTrue(r.out().contains("passthrough: VM run-vm: " + dev + "/vfio/35 is missing, so QEMU cannot open IOMMU group 35"),
                r.out());
        assertFalse(Files.exists(out.resolve("argv")), "QEMU was started");
    }

    @Test
    void aFunctionAHostDriverHoldsIsRefusedAndNothingIsTouched() throws Exception {
        function("0000:65:00.0", 34, "0x030000", "pci-stub");
        function("0000:65:00.1", 34, "0x040300", "snd_hda_intel");
        function("0000:66:00.0", 35, "0x030200", "pci-stub");
        startKernel();
        Tools.Result r = run();
        assertNotEquals(0, r.exit(), r.out());
        assertTrue(r.out().contains("0000:65:00.1 is held by the host driver snd_hda_intel, not vfio-pci; reserve it for VMs "
                + "first: passthrough plan --device 0000:65:00.1"), r.out());
        assertFalse(Files.exists(out.resolve("argv")), "QEMU was started");
        assertEquals("", kernelLog(), "a function was moved before the refusal");
        for (String f : FUNCTIONS) {
            assertEquals("(null)\n", Files.readString(sys.resolve("bus/pci/devices/" + f + "/driver_override")));
        }
        assertFalse(Files.exists(state), "the variables were created for a VM that cannot start");
    }

    @Test
    void pciStubFunctionsGoToVfioPciForQemuAndBackAfterwards() throws Exception {
        cards("pci-stub");
        startKernel();
        Tools.Result r = run();
        assertEquals(0, r.exit(), r.out());
        assertEquals("0000:65:00.0 vfio-pci\n0000:65:00.1 vfio-pci\n0000:66:00.0 vfio-pci\n",
                Files.readString(out.resolve("drivers")), "while QEMU ran");
        for (String f : FUNCTIONS) {
            assertEquals("pci-stub", driverOf(f), f + " after QEMU exited");
            assertEquals("\n", Files.readString(sys.resolve("bus/pci/devices/" + f + "/driver_override")),
                    f + ": the override is cleared again");
        }
        assertTrue(r.out().contains("0000:65:00.1 moved from pci-stub to vfio-pci until QEMU exits"), r.out());
        assertTrue(r.out().contains("0000:65:00.1 is back on pci-stub"), r.out());
        assertFalse(Files.exists(out.resolve("modprobe")), "vfio-pci was loaded already");
    }

    @Test
    void whenQemuFailsItsExitCodeIsTheScriptsAndTheFunctionsGoBackAllTheSame() throws Exception {
        cards("pci-stub");
        startKernel();
        Tools.Result r = run(Map.of("STUB_EXIT", "3"));
        assertEquals(3, r.exit(), r.out());
        for (String f : FUNCTIONS) assertEquals("pci-stub", driverOf(f), f);
    }

    @Test
    void aTermToTheScriptStopsQemuAndTheFunctionsGoBack() throws Exception {
        cards("pci-stub");
        startKernel();
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PASSTHROUGH_VM_SYSFS", sys.toString());
        env.put("PASSTHROUGH_VM_DEV", dev.toString());
        env.put("PASSTHROUGH_VM_QEMU", tmp.resolve("bin/qemu-system-x86_64").toString());
        env.put("PASSTHROUGH_VM_MODPROBE", tmp.resolve("bin/modprobe").toString());
        env.put("PASSTHROUGH_VM_STATE", state.toString());
        env.put("STUB_OUT", out.toString());
        env.put("STUB_SYS", sys.toString());
        env.put("STUB_FUNCTIONS", String.join(" ", FUNCTIONS));
        env.put("STUB_WAIT", "1");
        ProcessBuilder pb = new ProcessBuilder("bash", script().toString()).redirectErrorStream(true)
                .redirectOutput(tmp.resolve("script.out").toFile());
        pb.environment().putAll(env);
        Process p = pb.start();
        try {
            for (int i = 0; i < 600 && !Files.exists(out.resolve("drivers")); i++) Thread.sleep(100);
            assertTrue(Files.exists(out.resolve("drivers")), "QEMU did not start: " + Files.readString(tmp.resolve("script.out")));
            p.destroy();  // SIGTERM to the script only
            assertTrue(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS), "the script did not end");
        } finally {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        String output = Files.readString(tmp.resolve("script.out"));
        assertEquals("TERM\n", Files.readString(out.resolve("signal")), "QEMU got the TERM: " + output);
        assertEquals(0, p.exitValue(), "QEMU's exit code: " + output);
        for (String f : FUNCTIONS) assertEquals("pci-stub", driverOf(f), f + ": " + output);
    }

    @Test
    void unboundFunctionsAreMovedAndLeftUnboundAgain() throws Exception {
        cards(null);
        startKernel();
        Tools.Result r = run();
        assertEquals(0, r.exit(), r.out());
        assertEquals("0000:65:00.0 vfio-pci\n0000:65:00.1 vfio-pci\n0000:66:00.0 vfio-pci\n",
                Files.readString(out.resolve("drivers")));
        for (String f : FUNCTIONS) assertEquals("none", driverOf(f), f);
    }

    @Test
    void anotherMemberOfTheGroupInTheHostsUseIsRefused() throws Exception {
        cards("vfio-pci");
        function("0000:66:00.1", 35, "0x0c0330", "xhci_hcd");
        function("0000:00:01.0", 35, "0x060400", null);  // the bridge above stays with the host
        vfioNode(34);
        vfioNode(35);
        startKernel();
        Tools.Result r = run();
        assertNotEquals(0, r.exit(), r.out());
        assertTrue(r.out().contains("IOMMU group 35 also holds 0000:66:00.1, which the host driver xhci_hcd uses"), r.out());
        assertFalse(Files.exists(out.resolve("argv")), "QEMU was started");
    }

    @Test
    void vfioPciIsLoadedFirstAndAFailedModprobeStops() throws Exception {
        cards("pci-stub");
        // no vfio-pci driver yet: the stub modprobe is asked and fails
        Files.delete(sys.resolve("bus/pci/drivers/vfio-pci/unbind"));
        Files.delete(sys.resolve("bus/pci/drivers/vfio-pci"));
        startKernel();
        Tools.Result r = run();
        assertNotEquals(0, r.exit(), r.out());
        assertEquals("modprobe vfio-pci\n", Files.readString(out.resolve("modprobe")));
        assertTrue(r.out().contains("modprobe vfio-pci failed"), r.out());
        assertFalse(Files.exists(out.resolve("argv")), "QEMU was started");
        for (String f : FUNCTIONS) assertEquals("pci-stub", driverOf(f), f);
    }

    @Test
    void aMissingFileIsNamedWithTheWayOut() throws Exception {
        cards("vfio-pci");
        vfioNode(34);
        vfioNode(35);
        Files.delete(files.resolve("OVMF_CODE.fd"));
        startKernel();
        Tools.Result r = run();
        assertNotEquals(0, r.exit(), r.out());
        assertTrue(r.out().contains(files.resolve("OVMF_CODE.fd") + " (the OVMF code) does not exist; install OVMF "
                + "(Debian/Ubuntu: ovmf; Fedora/Arch: edk2-ovmf)"), r.out());
        assertFalse(Files.exists(out.resolve("argv")), "QEMU was started");
    }

    @Test
    void aMovedCardIsNamed() throws Exception {
        function("0000:65:00.0", 34, "0x030000", "vfio-pci");
        function("0000:65:00.1", 34, "0x040300", "vfio-pci");
        startKernel();
        Tools.Result r = run();
        assertNotEquals(0, r.exit(), r.out());
        assertTrue(r.out().contains("0000:66:00.0: no such PCI function on this host"), r.out());
    }

    @Test
    void anUnknownOptionIsRefused() throws Exception {
        cards("vfio-pci");
        Tools.Result r = run("--start");
        assertNotEquals(0, r.exit(), r.out());
        assertTrue(r.out().contains("unknown option '--start'"), r.out());
    }
}
