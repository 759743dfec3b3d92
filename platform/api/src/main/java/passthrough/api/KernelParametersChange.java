package passthrough.api;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Parameters to set and to remove on the kernel command line, and list parameters to merge into; a
 * {@link BootloaderWriter} turns it into file edits and commands for the bootloader it knows.
 *
 * <p>List edits are relative: they become concrete parameters only against the command line they are merged into
 * ({@link #resolvedAgainst}), which the planner does with the writer's {@link BootloaderWriter#configuredCommandLine}
 * before the writer sees the change. A writer therefore only ever handles {@link #set()} and {@link #remove()}.
 */
public record KernelParametersChange(List<KernelParameter> set, List<KernelParameter> remove,
                                     List<KernelParameterListEdit> listEdits, String reason) implements Change {

    public KernelParametersChange {
        set = List.copyOf(set);
        remove = List.copyOf(remove);
        listEdits = List.copyOf(listEdits);
    }

    public KernelParametersChange(List<KernelParameter> set, List<KernelParameter> remove, String reason) {
        this(set, remove, List.of(), reason);
    }

    /** A change that only merges values into (or out of) one list parameter. */
    public static KernelParametersChange ofList(KernelParameterListEdit edit, String reason) {
        return new KernelParametersChange(List.of(), List.of(), List.of(edit), reason);
    }

    /**
     * This change with every list edit turned into a concrete set or remove, merged into {@code line} after this
     * change's own sets and removes: the values already on {@code line} stay, the edits' values are added or taken out.
     */
    public KernelParametersChange resolvedAgainst(KernelCommandLine line) {
        if (listEdits.isEmpty()) return this;
        KernelCommandLine current = applyPlain(line);
        List<KernelParameter> newSet = new ArrayList<>(set);
        List<KernelParameter> newRemove = new ArrayList<>(remove);
        for (KernelParameterListEdit e : listEdits) {
            Optional<KernelParameter> p = e.resolveOn(current);
            if (p.isEmpty()) continue;
            if (p.get().value() == null) {
                newRemove.add(p.get());
                newSet.removeIf(s -> s.sameName(e.name()));
                current = current.without(p.get());
            } else {
                newSet.removeIf(s -> s.sameName(e.name()));
                newSet.add(p.get());
                current = current.with(p.get());
            }
        }
        return new KernelParametersChange(newSet, newRemove, List.of(), reason);
    }

    /** {@code line} after this change, list edits merged into it. */
    public KernelCommandLine applyTo(KernelCommandLine line) {
        return listEdits.isEmpty() ? applyPlain(line) : resolvedAgainst(line).applyPlain(line);
    }

    private KernelCommandLine applyPlain(KernelCommandLine line) {
        KernelCommandLine out = line;
        for (KernelParameter p : remove) out = out.without(p);
        for (KernelParameter p : set) out = out.with(p);
        return out;
    }

    /** Whether the change leaves {@code line} as it is. */
    public boolean changesNothingOn(KernelCommandLine line) {
        return applyTo(line).toString().equals(line.toString());
    }
}
