package passthrough.plugin.mkinitcpio;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Our drop-in, /etc/mkinitcpio.conf.d/passthrough.conf, for a mkinitcpio (v36+) that reads drop-ins.
 *
 * <p>The rule, and why: mkinitcpio concatenates /etc/mkinitcpio.conf and the drop-ins (in version-sorted name order)
 * into one file and sources it with bash. An array assigned in a drop-in therefore <em>replaces</em> everything before
 * it, and {@code MODULES+=( )} would put our modules <em>after</em> an early-KMS driver the main file (or CachyOS's
 * chwd drop-in) lists, too late. So the drop-in assigns the whole array: passthrough's modules first, then the array
 * as bash has it just before our drop-in (the main file and the drop-ins sorted before ours, their {@code +=} included),
 * without our modules repeated. A drop-in sorted after ours may append ({@code MODULES+=}, harmless: after ours) but
 * must not assign: that would throw our modules away, an error naming it. Which modules are passthrough's is kept in
 * a comment line of the drop-in ({@code # passthrough-modules: ...}), so a later plan copies the main file's current
 * array again (a driver removed there disappears here too) and keeps ours. FILES only needs to grow, in any order,
 * so the drop-in appends to it ({@code FILES+=( )}).
 *
 * <p>The drop-in starts with an empty line: concatenated after a main file whose last line lacks a newline, our first
 * line would otherwise continue that line.
 */
final class DropInEdit {
    static final String NAME = "passthrough.conf";
    static final String PATH = MkinitcpioLoader.DROP_IN_DIR + NAME;
    static final String HEADER = """

            # Written by passthrough; remove with `passthrough rollback`. mkinitcpio reads this after
            # /etc/mkinitcpio.conf and the drop-ins sorted before it, and an array assigned here replaces theirs: so
            # MODULES is the whole array, passthrough's modules (listed below) first, then the modules it found there.
            """;
    private static final Pattern MARKER = Pattern.compile("(?m)^# passthrough-modules:([^\\n]*)$");

    private DropInEdit() {
    }

    static Edited edit(String mainText, Map<String, String> dropIns, Wanted wanted) {
        List<Map.Entry<String, String>> beforeOurs = new ArrayList<>();
        List<Map.Entry<String, String>> afterOurs = new ArrayList<>();
        beforeOurs.add(Map.entry(MkinitcpioLoader.MAIN, mainText));
        for (Map.Entry<String, String> d : sorted(dropIns)) {
            String name = d.getKey().substring(MkinitcpioLoader.DROP_IN_DIR.length());
            if (name.equals(NAME)) continue;
            (DropInOrder.INSTANCE.compare(name, NAME) < 0 ? beforeOurs : afterOurs).add(d);
        }
        // read as mkinitcpio's bash reads them: joined, so a missing final newline glues two files together
        Concatenation pre = Concatenation.of(beforeOurs);
        BashArrays.Parsed preParsed = BashArrays.parse(pre.text(), "MODULES");
        if (preParsed.problem() != null) {
            return Edited.refusedAt(pre.locate(preParsed.problem().line()), preParsed.problem().reason(),
                    MainFileEdit.wayOut("MODULES"));
        }
        List<String> before = preParsed.effective(List.of());
        // our drop-in ends with a newline, so what follows it starts a line of its own
        Concatenation post = Concatenation.of(afterOurs);
        BashArrays.Parsed postParsed = BashArrays.parse(post.text(), "MODULES");
        if (postParsed.problem() != null) {
            return Edited.refusedAt(post.locate(postParsed.problem().line()), postParsed.problem().reason(),
                    MainFileEdit.wayOut("MODULES"));
        }
        for (BashArrays.Assignment a : postParsed.assignments()) {
            if (!a.append()) {
                return Edited.refusedAt(post.locate(a.line()), "MODULES=( ) is read after " + PATH + " and replaces its "
                        + "array, vfio modules included", "change it to MODULES+=( ... ), or rename the file to sort "
                        + "before " + NAME);
            }
        }

        List<String> filesBefore = List.of();
        Map<String, String> edited = new java.util.LinkedHashMap<>();
        if (!wanted.filesToAdd().isEmpty() || !wanted.filesToRemove().isEmpty()) {
            BashArrays.Parsed preFiles = BashArrays.parse(pre.text(), "FILES");
            if (preFiles.problem() != null) {
                return Edited.refusedAt(pre.locate(preFiles.problem().line()), preFiles.problem().reason(),
                        MainFileEdit.wayOut("FILES"));
            }
            filesBefore = preFiles.effective(List.of());
            if (filesBefore.stream().anyMatch(wanted.filesToRemove()::contains)) {
                // put into the main file by a plan made before drop-ins were read: a deleted file leaves it there too
                Edited main = MainFileEdit.edit(MkinitcpioLoader.MAIN, mainText,
                        new Wanted(List.of(), List.of(), wanted.filesToRemove()));
                if (!main.errors().isEmpty()) return main;
                edited.putAll(main.files());
            }
        }

        String current = dropIns.get(PATH);
        String text = current != null ? current : "";
        BashArrays.Parsed ours = BashArrays.parse(text, "MODULES");
        if (ours.problem() != null) return Edited.refused(PATH, ours.problem(), "let passthrough write this file: "
                + "`passthrough rollback`, then plan again");
        if (ours.assignments().size() > 1 || ours.assignments().stream().anyMatch(BashArrays.Assignment::append)) {
            BashArrays.Assignment extra = ours.assignments().get(ours.assignments().size() > 1 ? 1 : 0);
            return Edited.refused(PATH, extra.line(), "passthrough keeps exactly one MODULES=( ) in its drop-in",
                    "put your own modules into another drop-in or /etc/mkinitcpio.conf");
        }
        Matcher marker = MARKER.matcher(text);
        List<String> oursBefore = new ArrayList<>();
        if (marker.find()) {
            Arrays.stream(marker.group(1).strip().split("[ \\t]+")).filter(w -> !w.isEmpty()).forEach(oursBefore::add);
        } else if (!ours.assignments().isEmpty()) {
            // no record of which were ours: those the array before us does not have
            List<String> known = before;
            ours.assignments().get(0).values().stream().filter(w -> !ModuleNames.contains(known, w)).forEach(oursBefore::add);
        }
        List<String> ourModules = new ArrayList<>(oursBefore);
        for (String m : wanted.modules()) if (!ModuleNames.contains(ourModules, m)) ourModules.add(m);
        List<String> array = new ArrayList<>(ourModules);
        // a faithful copy: only our modules are not repeated (duplicates of the others are harmless and theirs)
        for (String m : before) if (!ModuleNames.contains(ourModules, m)) array.add(m);
        String markerLine = "# passthrough-modules: " + String.join(" ", ourModules);

        if (current == null) {
            List<String> known = filesBefore;
            List<String> add = wanted.filesToAdd().stream().filter(f -> !known.contains(f)).distinct().toList();
            // nothing of ours to load or carry (a release): no drop-in to start
            if (ourModules.isEmpty() && add.isEmpty()) return new Edited(edited, List.of());
            StringBuilder sb = new StringBuilder(HEADER).append(markerLine).append('\n')
                    .append("MODULES=(").append(String.join(" ", array)).append(")\n");
            if (!add.isEmpty()) sb.append("FILES+=(").append(String.join(" ", add)).append(")\n");
            edited.put(PATH, sb.toString());
            return new Edited(edited, List.of());
        }
        ConfigEdit edit = new ConfigEdit(text);
        if (marker.find(0)) {
            if (!marker.group().equals(markerLine)) edit.replaceLine(marker.start(), marker.end(), markerLine);
        } else if (!ours.assignments().isEmpty()) {
            int lineStart = text.lastIndexOf('\n', ours.assignments().get(0).open()) + 1;
            edit.insertAt(lineStart, markerLine + "\n");
        } else {
            edit.appendLine(markerLine);
        }
        if (ours.assignments().isEmpty()) edit.appendLine("MODULES=(" + String.join(" ", array) + ")");
        else edit.replaceAll(ours.assignments().get(0), array);

        BashArrays.Parsed files = BashArrays.parse(text, "FILES");
        if (files.problem() != null) return Edited.refused(PATH, files.problem(), MainFileEdit.wayOut("FILES"));
        for (BashArrays.Assignment a : files.assignments()) {
            if (!a.append()) {
                return Edited.refused(PATH, a.line(), "FILES=( ) in the drop-in replaces /etc/mkinitcpio.conf's FILES",
                        "change it to FILES+=( ... )");
            }
            for (BashArrays.Word w : a.words()) if (wanted.filesToRemove().contains(w.value())) edit.remove(w);
        }
        List<String> have = files.effective(filesBefore);
        List<String> add = wanted.filesToAdd().stream().filter(f -> !have.contains(f)).distinct().toList();
        if (!add.isEmpty()) {
            if (files.assignments().isEmpty()) edit.appendLine("FILES+=(" + String.join(" ", add) + ")");
            else edit.append(files.assignments().get(files.assignments().size() - 1), add);
        }
        String next = edit.result();
        if (!next.equals(text)) edited.put(PATH, next);
        return new Edited(edited, List.of());
    }

    /** The drop-ins in the order mkinitcpio reads them. */
    static List<Map.Entry<String, String>> sorted(Map<String, String> dropIns) {
        List<Map.Entry<String, String>> out = new ArrayList<>(dropIns.entrySet());
        out.sort((a, b) -> DropInOrder.INSTANCE.compare(a.getKey().substring(MkinitcpioLoader.DROP_IN_DIR.length()),
                b.getKey().substring(MkinitcpioLoader.DROP_IN_DIR.length())));
        return out;
    }
}
