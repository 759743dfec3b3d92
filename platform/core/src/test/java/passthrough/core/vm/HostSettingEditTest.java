package passthrough.core.vm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class HostSettingEditTest {
    static final String WHY = "AppArmor";

    @Test
    void setsAfterTheDocumentedCommentedLineAndTouchesNothingElse() {
        String conf = "# qemu.conf\n#\n#security_driver = \"selinux\"\n\n#user = \"root\"\n";
        assertEquals("# qemu.conf\n#\n#security_driver = \"selinux\"\n# set by passthrough: AppArmor\nsecurity_driver = \"none\"\n\n"
                + "#user = \"root\"\n", HostSettingEdit.set(conf, "security_driver", "\"none\"", WHY));
    }

    @Test
    void rewritesTheLastAssignmentInPlaceAndLeavesAFileThatHasItAlone() {
        String conf = "a = 1\n  security_driver = \"apparmor\"  \nb = 2";
        assertEquals("a = 1\n  security_driver = \"none\"\nb = 2", HostSettingEdit.set(conf, "security_driver", "\"none\"", WHY));
        String done = "security_driver = \"none\"\n";
        assertEquals(done, HostSettingEdit.set(done, "security_driver", "\"none\"", WHY));
    }

    @Test
    void appendsWithANewlineWhereTheFileLacksOne() {
        assertEquals("x = 1\n# set by passthrough: AppArmor\nsecurity_driver = \"none\"\n",
                HostSettingEdit.set("x = 1", "security_driver", "\"none\"", WHY));
    }
}
