package io.jcluster.cli;

import io.jcluster.contract.CliException;
import io.jcluster.contract.ExitCode;
import io.jcluster.launch.Application;
import io.jcluster.launch.StartSpec;
import io.jcluster.launch.SystemdUnits;
import io.jcluster.registry.Registry;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code jcluster startup systemd NAME}: prints (or writes) the units that run a cluster under systemd, as pm2 startup. */
@Command(name = "startup", mixinStandardHelpOptions = true,
        description = {"Prints a systemd service unit that runs the cluster NAME in the foreground, and a socket unit "
                + "that holds its port (socket activation: the primary takes the socket instead of binding, so a "
                + "restart of the primary leaves the port open and connections wait in the kernel).",
                "The service runs 'jcluster start --name NAME --config FILE' (or the start arguments after --); "
                        + "reload is 'jcluster reload NAME'; TERM drains within the config's drain timeout."},
        footer = {"", "Install (as root): jcluster startup systemd web --config /etc/web.yaml --listen 8080 --write "
                + "/etc/systemd/system && systemctl daemon-reload && systemctl enable --now web.socket web.service"})
final class StartupCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "systemd", description = "The init system (only systemd).")
    String system;

    @Parameters(index = "1", paramLabel = "NAME", description = "The cluster's name, and the units' (NAME.service, NAME.socket).")
    String name;

    @Parameters(index = "2..*", paramLabel = "START ARGS", description = "After --: the arguments of 'jcluster start' "
            + "(the application), when there is no --config.")
    List<String> startArgs = new ArrayList<>();

    @Option(names = "--config", paramLabel = "FILE", description = "The cluster's YAML config (its timeouts set the units').")
    Path config;

    @Option(names = "--listen", paramLabel = "[ADDR:]PORT", description = "A socket for the socket unit (ListenStream=), "
            + "repeatable; default: the port the config names (PORT, --server.port=…), else no socket unit.")
    List<String> listens = new ArrayList<>();

    @Option(names = "--write", paramLabel = "DIR", description = "Write NAME.service (and NAME.socket) into DIR instead "
            + "of printing them.")
    Path write;

    @Spec
    CommandSpec command;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = command.commandLine().getOut();
        if (!"systemd".equals(system)) {
            throw new CliException(ExitCode.USAGE, "'" + system + "' is not an init system jcluster knows (known: systemd)");
        }
        Registry.checkName(name);
        if (config == null && startArgs.isEmpty()) {
            throw new CliException(ExitCode.USAGE, "give the cluster's --config FILE, or the arguments of 'jcluster start' "
                    + "after --, e.g. 'jcluster startup systemd " + name + " -- app.jar'");
        }
        StartSpec spec = new StartSpec();
        List<String> args = new ArrayList<>(List.of("--name", name));
        if (config != null) {
            Path file = config.toAbsolutePath().normalize();
            spec.load(file);
            args.add("--config");
            args.add(file.toString());
        }
        args.addAll(startArgs);
        List<String> sockets = new ArrayList<>(listens);
        if (sockets.isEmpty() && SystemdUnits.expectedPort(spec) != null) {
            sockets.add(SystemdUnits.expectedPort(spec));
        }
        Registry registry = Registry.open();
        Path home = Path.of(System.getProperty("user.home"));
        LinkedHashSet<Path> writable = new LinkedHashSet<>(List.of(registry.home(), home.resolve(".cache").resolve("jcluster")));
        if (spec.logDir != null) {
            writable.add(spec.logDir.toAbsolutePath());
        }
        List<String> env = new ArrayList<>();
        if (System.getenv(Registry.ENV_HOME) != null) {
            env.add(Registry.ENV_HOME + "=" + registry.home());
        }
        String java = Path.of(System.getProperty("java.home"), "bin").toString();
        SystemdUnits.Inputs in = new SystemdUnits.Inputs(name, launcher(), args,
                config != null ? config.toAbsolutePath().getParent() : Path.of("").toAbsolutePath(),
                System.getProperty("user.name"), java + ":/usr/local/bin:/usr/bin:/bin", env, List.copyOf(writable),
                spec.drainTimeout, spec.readyTimeout, sockets);
        registry.ensure(); // 0700
        for (Path dir : writable) { // ProtectSystem=strict: the service could not make them
            try {
                Files.createDirectories(dir);
            } catch (IOException e) {
                command.commandLine().getErr().println("jcluster: warning: cannot create " + dir + " (" + e.getMessage()
                        + "); the service needs it to exist");
            }
        }
        String service = SystemdUnits.service(in);
        String socket = sockets.isEmpty() ? null : SystemdUnits.socket(in);
        if (write != null) {
            Files.createDirectories(write);
            Files.writeString(write.resolve(name + ".service"), service);
            out.println("jcluster: wrote " + write.resolve(name + ".service"));
            if (socket != null) {
                Files.writeString(write.resolve(name + ".socket"), socket);
                out.println("jcluster: wrote " + write.resolve(name + ".socket"));
            }
        } else {
            out.println("# /etc/systemd/system/" + name + ".service");
            out.print(service);
            if (socket != null) {
                out.println();
                out.println("# /etc/systemd/system/" + name + ".socket");
                out.print(socket);
            }
        }
        out.println();
        out.println("# To install: save the unit" + (socket != null ? "s" : "") + " as shown (or use --write "
                + "/etc/systemd/system), then, as root:");
        out.println("#   systemctl daemon-reload && systemctl enable --now "
                + (socket != null ? name + ".socket " : "") + name + ".service");
        if (socket == null) {
            out.println("# No socket unit: give --listen PORT for one (the port stays open across restarts).");
        }
        out.flush();
        return ExitCode.OK.code();
    }

    /** bin/jcluster of the tree this jar was built in, when there is one; else java -jar on this jar. */
    static List<String> launcher() {
        Path jar = Path.of(Application.selfJar()).toAbsolutePath();
        Path root = jar.getParent() != null && jar.getParent().getParent() != null ? jar.getParent().getParent().getParent() : null;
        if (root != null && Files.isExecutable(root.resolve("bin").resolve("jcluster"))) {
            return List.of(root.resolve("bin").resolve("jcluster").toString());
        }
        return List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar.toString());
    }
}
