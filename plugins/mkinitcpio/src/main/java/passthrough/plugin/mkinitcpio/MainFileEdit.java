package passthrough.plugin.mkinitcpio;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The in-place edit of /etc/mkinitcpio.conf, for a mkinitcpio that reads no drop-ins (or builds its images with
 * {@code -c}): our modules go into the live MODULES array right before the first early-KMS driver (or at its end when
 * there is none), a module of ours that sits after such a driver moves in front of it, and the extra files go into FILES.
 * "Live" is the last {@code MODULES=( )} and every {@code MODULES+=( )} after it: what bash is left with.
 */
final class MainFileEdit {
    private MainFileEdit() {
    }

    static Edited edit(String path, String text, Wanted wanted) {
        BashArrays.Parsed modules = BashArrays.parse(text, "MODULES");
        if (modules.problem() != null) return Edited.refused(path, modules.problem(), wayOut("MODULES"));
        ConfigEdit edit = new ConfigEdit(text);
        List<BashArrays.Word> live = modules.live().stream().flatMap(a -> a.words().stream()).toList();
        int kms = -1;
        for (int i = 0; i < live.size() && kms < 0; i++) if (ModuleNames.isEarlyKms(live.get(i).value())) kms = i;
        List<String> toInsert = new ArrayList<>();
        for (String module : wanted.modules()) {
            String m = ModuleNames.normalize(module);
            if (toInsert.stream().anyMatch(t -> ModuleNames.normalize(t).equals(m))) continue;
            List<Integer> at = new ArrayList<>();
            for (int i = 0; i < live.size(); i++) if (ModuleNames.normalize(live.get(i).value()).equals(m)) at.add(i);
            if (!at.isEmpty() && (kms < 0 || at.get(0) < kms)) continue;
            // after an early-KMS driver the GPU's own driver would already have bound: move it in front
            for (int i : at) edit.remove(live.get(i));
            toInsert.add(at.isEmpty() ? module : live.get(at.get(0)).value());
        }
        if (!toInsert.isEmpty()) {
            if (kms >= 0) edit.insertBefore(live.get(kms), toInsert);
            else if (!modules.live().isEmpty()) edit.append(modules.live().get(modules.live().size() - 1), toInsert);
            else edit.appendLine("MODULES=(" + String.join(" ", toInsert) + ")");
        }

        if (!wanted.filesToAdd().isEmpty() || !wanted.filesToRemove().isEmpty()) {
            BashArrays.Parsed files = BashArrays.parse(text, "FILES");
            if (files.problem() != null) return Edited.refused(path, files.problem(), wayOut("FILES"));
            List<String> have = files.effective(List.of());
            List<String> add = wanted.filesToAdd().stream().filter(f -> !have.contains(f)).distinct().toList();
            for (BashArrays.Assignment a : files.live()) {
                for (BashArrays.Word w : a.words()) if (wanted.filesToRemove().contains(w.value())) edit.remove(w);
            }
            if (!add.isEmpty()) {
                if (!files.live().isEmpty()) edit.append(files.live().get(files.live().size() - 1), add);
                else edit.appendLine("FILES=(" + String.join(" ", add) + ")");
            }
        }
        String next = edit.result();
        return new Edited(next.equals(text) ? Map.of() : Map.of(path, next), List.of());
    }

    static String wayOut(String name) {
        return "write " + name + " as a plain array, " + name + "=(word word ...), at the top level of the file, or add the "
                + "modules yourself and plan again";
    }
}
