package passthrough.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import passthrough.cli.json.ProfileBundleJson;
import passthrough.core.apply.JournaledFile;
import passthrough.core.apply.RefusedException;
import passthrough.core.apply.TransactionException;
import passthrough.core.bundle.BundleEntryCheck;
import passthrough.core.profiles.ProfileCatalog;
import passthrough.core.bundle.BundleInstaller;
import passthrough.core.bundle.BundleLayout;
import passthrough.core.bundle.BundleRefusedException;
import passthrough.core.bundle.VerifiedBundle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** `passthrough profiles install BUNDLE`: verify a bundle, then install it as one transaction that rollback undoes. */
@Command(name = "install", exitCodeListHeading = "%nExit status:%n", exitCodeList = {" 0:installed", " 2:usage error", " 3:refused (signature, manifest, an unsafe entry); nothing was written"},
        mixinStandardHelpOptions = true,
        description = {"Verify a profile bundle (its manifest, its signature by a key in <root>/" + BundleLayout.TRUSTED_KEYS_DIR
                + "/, its entries) and install it as one transaction: profiles to /" + BundleLayout.INSTALLED_PROFILES_DIR
                + "/, plugins to /" + BundleLayout.INSTALLED_PLUGINS_DIR + "/.",
            "Nothing is written unless every check passes; `passthrough history` lists the transaction and "
                + "`passthrough rollback` takes it back."})
final class ProfilesInstallCommand extends NestedSubcommand implements Callable<Integer> {

    @Parameters(paramLabel = "BUNDLE", description = "The bundle file (from `passthrough profiles bundle`).")
    Path bundle;

    @Option(names = "--allow-unsigned",
            description = "Install a bundle that carries no signature (its manifest is still checked). Only for bundles you made yourself.")
    boolean allowUnsigned;

    @Option(names = "--replace", description = "Overwrite profiles and plugin jars that are already installed.")
    boolean replace;

    /** What every bundled profile must pass (the plugins' bytecode audit is the installer's own step). */
    BundleEntryCheck contentCheck() {
        return new BundledProfileCheck(ProfileCatalog.load(ProfileCatalog.shippedDirectory(), ProfileCommands.root(global())),
                replace);
    }

    @Override
    public Integer call() {
        if (!Files.isRegularFile(bundle)) {
            throw new UserError(ExitCodes.USAGE, bundle + ": no such file; give the bundle made by `passthrough profiles bundle`");
        }
        Path root = global().root;
        if (!Files.isDirectory(root)) {
            throw new UserError(ExitCodes.USAGE, "--root " + root + ": not a directory; give the root of the host to change, or /");
        }
        if (allowUnsigned) {
            PrintWriter err = err();
            err.println("passthrough: WARNING: --allow-unsigned: if " + bundle + " carries no signature, nobody vouches for "
                    + "its profiles and plugins (plugins run as root). Install unsigned bundles only that you made yourself.");
            err.flush();
        }
        BundleInstaller.Installed installed;
        try {
            installed = new BundleInstaller(root, VersionProvider.version(), contentCheck())
                    .install(bundle, new BundleInstaller.Options(allowUnsigned, replace));
        } catch (BundleRefusedException e) {
            throw new UserError(ExitCodes.REFUSED, "refused: " + e.getMessage(), e);
        } catch (RefusedException e) {
            throw new UserError(ExitCodes.REFUSED, "refused: " + e.getMessage(), e);
        } catch (TransactionException e) {
            throw new UserError(ExitCodes.IO_ERROR, e.getMessage(), e);
        } catch (IOException e) {
            throw new UserError(ExitCodes.IO_ERROR, bundle + ": cannot be read (" + e.getMessage() + "); check the file and try again", e);
        }
        print(installed);
        return ExitCodes.OK;
    }

    private void print(BundleInstaller.Installed installed) {
        VerifiedBundle b = installed.bundle();
        String txid = installed.result().txid();
        List<String> files = installed.result().files().stream().map(JournaledFile::path).toList();
        if (global().json) {
            ProfileBundleJson.Signer signer = b.signed()
                    ? new ProfileBundleJson.Signer(b.signer().file(), b.signer().fingerprint()) : null;
            printJson(new ProfileBundleJson.Installed(bundle.toString(), txid, List.copyOf(b.profiles().keySet()),
                    List.copyOf(b.plugins().keySet()), files, installed.replaced(), b.signed(), signer));
            return;
        }
        PrintWriter out = out();
        out.println(b.signed() ? "Verified " + bundle + ": signed by " + b.signer().file() + " (" + b.signer().fingerprint() + ")"
                : "Installing UNSIGNED " + bundle + " (--allow-unsigned)");
        if (txid == null) {
            out.println("Nothing to do: every file is already as the bundle has it.");
        } else {
            out.println("Installed as transaction " + txid + " (undo with `passthrough rollback " + txid + "`):");
            installed.result().files().forEach(f -> out.println("  " + f.action().toString().toLowerCase(Locale.ROOT) + " " + f.path()));
        }
        out.flush();
    }
}
