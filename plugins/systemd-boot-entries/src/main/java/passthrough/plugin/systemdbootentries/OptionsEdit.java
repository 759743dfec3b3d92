package passthrough.plugin.systemdbootentries;

import java.util.ArrayList;
import java.util.List;
import passthrough.api.KernelCommandLine;
import passthrough.api.KernelParameter;
import passthrough.api.KernelParametersChange;

/**
 * A kernel-parameter change applied to one entry's {@code options} lines. A parameter is removed from whichever line
 * holds it; a parameter set is rewritten on the line that already has it (and taken off the others, so no duplicate
 * stays behind), else appended to the last options line; an entry without one gets an options line at its end.
 */
final class OptionsEdit {

    private OptionsEdit() {
    }

    static LoaderEntryFile apply(LoaderEntryFile entry, KernelParametersChange change) {
        List<LoaderEntryFile.Field> fields = entry.optionsLines();
        if (fields.isEmpty()) {
            String line = change.applyTo(KernelCommandLine.empty()).toString();
            return line.isEmpty() ? entry : entry.withOptionsLine(line);
        }
        List<KernelCommandLine> lines = new ArrayList<>();
        for (LoaderEntryFile.Field f : fields) lines.add(KernelCommandLine.parse(f.value()));
        for (KernelParameter p : change.remove()) lines.replaceAll(l -> l.without(p));
        for (KernelParameter p : change.set()) {
            int holder = lines.size() - 1;
            for (int i = 0; i < lines.size(); i++) {
                if (lines.get(i).last(p.name()).isPresent()) {
                    holder = i;
                    break;
                }
            }
            for (int i = 0; i < lines.size(); i++) {
                lines.set(i, i == holder ? lines.get(i).with(p) : lines.get(i).without(KernelParameter.flag(p.name())));
            }
        }
        // from the last field back, so the offsets of the earlier ones stay valid
        LoaderEntryFile out = entry;
        for (int i = fields.size() - 1; i >= 0; i--) {
            String value = lines.get(i).toString();
            if (!value.equals(fields.get(i).value())) out = out.withOptionsValue(fields.get(i), value);
        }
        return out;
    }
}
