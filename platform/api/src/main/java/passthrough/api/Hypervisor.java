package passthrough.api;

import org.pf4j.ExtensionPoint;

/** "How is a VM with these host devices defined?" First-party: libvirt (domain XML), qemu (launch script). */
public interface Hypervisor extends ExtensionPoint, HostReads {

    /** Stable id, e.g. "libvirt". */
    String id();

    /** The files and commands that define the VM. */
    Contribution define(HostFacts facts, VmSpec vm);
}
