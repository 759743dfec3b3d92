package passthrough.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import passthrough.core.apply.ApplyResult;
import passthrough.core.plan.PlanRefusedException;
import passthrough.core.vm.VmPlan;
import passthrough.core.vm.VmPlanner;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** `passthrough vm remove NAME`: undoes a VM passthrough defined, as one journaled transaction. */
@Command(name = "remove", exitCodeListHeading = "%nExit status:%n", exitCodeList = {" 0:removed", " 1:not confirmed, or a command failed", " 2:usage error", " 3:refused (not a VM passthrough defined)"},
        mixinStandardHelpOptions = true,
        description = {"Remove a VM passthrough defined (libvirt: virsh undefine --nvram and its /etc/passthrough/vms "
                + "document; qemu: its script) as one journaled transaction; `passthrough rollback` defines it again.",
            "Disks are never deleted. Exit 0 done, 1 not confirmed or a command failed, 2 no such VM, 3 refused."})
final class VmRemoveCommand extends NestedSubcommand implements Callable<Integer> {
    @Parameters(paramLabel = "NAME", description = "The VM.")
    String name;

    @Option(names = {"-y", "--yes"}, description = "Do not ask for confirmation (for scripts).")
    boolean yes;

    @Mixin
    CommandRunOptions commandRun;

    @Override
    public Integer call() {
        VmPlan plan;
        try (HostSession session = HostSession.open(global(), true)) {
            plan = VmPlanner.planRemoval(session.root, session.facts, session.profiled.forVm(), name);
        } catch (PlanRefusedException e) {
            throw new UserError(e.code().equals("NO_SUCH_VM") || e.code().equals("INVALID_VM_NAME") ? ExitCodes.USAGE : ExitCodes.REFUSED,
                    e.code(), "refused: " + e.getMessage(), e, null);
        }
        PrintWriter o = out();
        if (!global().json) {
            o.println("Remove VM " + name + " (" + plan.hypervisor() + ", " + plan.hypervisorWhy() + "):");
            VmSupport.printChanges(o, plan);
            VmSupport.printFindings(o, plan.findings());
            o.println();
        }
        if (!yes && !VmSupport.confirm(o, "Remove the VM " + name + "?")) {
            o.println("Not removed.");
            o.flush();
            return ExitCodes.NOT_READY;
        }
        ApplyResult r = VmSupport.apply(global(), plan, "remove VM " + name + " (" + plan.hypervisor() + ")",
                commandRun.toApplyOptions(), null);
        if (global().json) {
            printJson(VmCreateCommand.json(plan, null, r.txid()));
        } else {
            o.println("Removed " + name + " in transaction " + r.txid() + "; `passthrough rollback " + r.txid() + "` defines it again.");
        }
        o.flush();
        return ExitCodes.OK;
    }
}
