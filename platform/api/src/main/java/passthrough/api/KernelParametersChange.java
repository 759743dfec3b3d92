package passthrough.api;

import java.util.List;

/**
 * Parameters to set and to remove on the kernel command line; a {@link BootloaderWriter} turns it into file
 * edits and commands for the bootloader it knows.
 */
public record KernelParametersChange(List<KernelParameter> set, List<KernelParameter> remove, String reason)
        implements Change {

    public KernelParametersChange {
        set = List.copyOf(set);
        remove = List.copyOf(remove);
    }

    public KernelCommandLine applyTo(KernelCommandLine line) {
        KernelCommandLine out = line;
        for (KernelParameter p : remove) out = out.without(p);
        for (KernelParameter p : set) out = out.with(p);
        return out;
    }
}
