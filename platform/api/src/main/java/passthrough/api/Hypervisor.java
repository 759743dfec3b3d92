package passthrough.api;

import java.util.List;
import java.util.Set;
import org.pf4j.ExtensionPoint;

/**
 * "How is a VM with these host devices defined?" First-party: libvirt (a domain through virsh define), qemu (a
 * launch script). Pure like every plugin: it returns the document and the changes; the executor installs them.
 */
public interface Hypervisor extends ExtensionPoint, HostReads {

    /** Stable id, e.g. "libvirt"; {@code vm create --hypervisor ID}. */
    String id();

    /**
     * The commands this hypervisor needs that the host lacks (from {@link HostFacts#hasCommand(String)}); empty when
     * it can be used. {@code vm create} picks the first installed hypervisor of the profile and names the missing
     * commands (with the profile's packages) when asked for one that is not.
     */
    List<String> missingCommands(HostFacts facts);

    /** Names of the VMs defined on this host with this hypervisor (by anyone, not only passthrough). */
    List<String> definedVms(HostFacts facts);

    /** Whether {@code name} was defined by passthrough (its document at {@link #documentPath(String)}). */
    default boolean definedByPassthrough(HostFacts facts, String name) {
        return facts.file(documentPath(name)).isPresent();
    }

    /** Where the definition of {@code name} is kept, relative to the root. */
    String documentPath(String name);

    /**
     * The VM's definition with the quirks' features.
     *
     * @param features merged features of every applying quirk, without conflicts; each kind at most once per key
     */
    VmDefinition define(HostFacts facts, VmSpec vm, List<VmFeature> features);

    /** The changes that remove the VM {@code name} that passthrough defined (its document is at documentPath). */
    List<Change> remove(HostFacts facts, String name);

    /** The setting names a profile may give this plugin (see {@link PluginSettings}); none by default. */
    default Set<String> settingNames() {
        return Set.of();
    }

    /** This plugin configured with a profile's settings; itself by default. */
    default Hypervisor withSettings(PluginSettings settings) {
        return this;
    }
}
