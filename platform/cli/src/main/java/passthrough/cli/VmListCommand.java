package passthrough.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import passthrough.cli.json.VmListJson;
import passthrough.core.vm.VmPlanner;
import picocli.CommandLine.Command;

/** `passthrough vm list`: the VMs each hypervisor plugin sees, and which passthrough defined. */
@Command(name = "list", exitCodeListHeading = "%nExit status:%n", exitCodeList = {" 0:listed", " 2:usage error"},
        mixinStandardHelpOptions = true,
        description = "List the VMs the hypervisors know (libvirt's persistent domains, passthrough's QEMU scripts), "
                + "marking those passthrough defined (`vm remove` works on those).")
final class VmListCommand extends NestedSubcommand implements Callable<Integer> {
    @Override
    public Integer call() {
        List<VmPlanner.ListedVm> vms;
        try (HostSession session = HostSession.open(global(), true)) {
            vms = VmPlanner.list(session.facts, session.profiled.forVm());
        }
        if (global().json) {
            printJson(new VmListJson(vms.stream().map(v -> new VmListJson.Vm(v.name(), v.hypervisor(), v.byPassthrough(),
                    v.document())).toList()));
            return ExitCodes.OK;
        }
        PrintWriter o = out();
        if (vms.isEmpty()) o.println("No VMs defined.");
        for (VmPlanner.ListedVm v : vms) {
            o.printf("%-24s %-8s %s%n", v.name(), v.hypervisor(), v.byPassthrough() ? "by passthrough: " + v.document() : "not by passthrough");
        }
        o.flush();
        return ExitCodes.OK;
    }
}
