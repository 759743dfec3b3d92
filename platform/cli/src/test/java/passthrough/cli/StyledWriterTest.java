package passthrough.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class StyledWriterTest {
    static final String PLAN = """
            Plan: reserve the IOMMU group of 0000:01:00.0
            File etc/default/grub (grub-debian): add intel_iommu=on
            --- a/etc/default/grub
            +++ b/etc/default/grub
            @@ -1,2 +1,2 @@
             GRUB_DEFAULT=0
            -GRUB_CMDLINE_LINUX=""
            +GRUB_CMDLINE_LINUX="intel_iommu=on"
            \\ No newline at end of file
            Commands, after the files are written:
            -- not a diff line
            [ok]    IOMMU active
            [INFO] profile debian-12
                    fix: nothing to do
            [WARN]  not installed: ovmf
                    fix: apt-get install ovmf
            [ERROR] intel_iommu=off
            """;

    static String through(String text, boolean color, boolean quiet) throws Exception {
        StringWriter sink = new StringWriter();
        StyledWriter styled = new StyledWriter(sink, color, quiet);
        PrintWriter out = new PrintWriter(styled, true);
        // as the commands write: println (autoflush after each line) and print
        for (String line : text.split("\n", -1)) {
            out.print(line);
            out.println();
        }
        styled.finish();
        return sink.toString();
    }

    @Test
    void withoutColourOrQuietNothingChanges() throws Exception {
        assertEquals(PLAN + "\n", through(PLAN, false, false));
    }

    @Test
    void colourPaintsTheTagsAndTheDiffOnly() throws Exception {
        String out = through(PLAN, true, false);
        String r = StyledWriter.RESET;
        String expected = "Plan: reserve the IOMMU group of 0000:01:00.0\n"
                + "File etc/default/grub (grub-debian): add intel_iommu=on\n"
                + StyledWriter.BOLD + "--- a/etc/default/grub" + r + "\n"
                + StyledWriter.BOLD + "+++ b/etc/default/grub" + r + "\n"
                + StyledWriter.CYAN + "@@ -1,2 +1,2 @@" + r + "\n"
                + " GRUB_DEFAULT=0\n"
                + StyledWriter.RED + "-GRUB_CMDLINE_LINUX=\"\"" + r + "\n"
                + StyledWriter.GREEN + "+GRUB_CMDLINE_LINUX=\"intel_iommu=on\"" + r + "\n"
                + "\\ No newline at end of file\n"
                + "Commands, after the files are written:\n"
                + "-- not a diff line\n"
                + StyledWriter.GREEN + "[ok]" + r + "    IOMMU active\n"
                + StyledWriter.CYAN + "[INFO]" + r + " profile debian-12\n"
                + "        fix: nothing to do\n"
                + StyledWriter.YELLOW + "[WARN]" + r + "  not installed: ovmf\n"
                + "        fix: apt-get install ovmf\n"
                + StyledWriter.BOLD_RED + "[ERROR]" + r + " intel_iommu=off\n"
                + "\n";
        assertEquals(expected, out);
    }

    @Test
    void quietDropsOkAndInfoWithTheirContinuationLines() throws Exception {
        String out = through(PLAN, false, true);
        assertEquals(PLAN.replace("[ok]    IOMMU active\n", "").replace("[INFO] profile debian-12\n        fix: nothing to do\n", "")
                + "\n", out);
    }

    @Test
    void aPromptOnAnOpenLineIsLetOutAtFlush() throws Exception {
        StringWriter sink = new StringWriter();
        StyledWriter styled = new StyledWriter(sink, true, false);
        PrintWriter out = new PrintWriter(styled, true);
        out.print("Apply these changes? [y/N] ");
        out.flush();
        assertEquals("Apply these changes? [y/N] ", sink.toString());
        out.println();
        out.println("[ok]   applied");
        assertEquals("Apply these changes? [y/N] \n" + StyledWriter.GREEN + "[ok]" + StyledWriter.RESET + "   applied\n",
                sink.toString());
    }

    @Test
    void aLastDashLineIsNotLost() throws Exception {
        assertEquals("--- end\n", through("--- end", true, false).replace("\n\n", "\n"));
    }
}
