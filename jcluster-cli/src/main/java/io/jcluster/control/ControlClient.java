package io.jcluster.control;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcluster.contract.CliException;
import io.jcluster.contract.ExitCode;
import io.jcluster.contract.Units;
import io.jcluster.registry.Entry;
import io.jcluster.registry.Registry;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Timer;
import java.util.TimerTask;
import java.util.function.Consumer;

/** One connection to a primary's control socket; requests are answered in order. */
public final class ControlClient implements AutoCloseable {
    private final String name;
    private final SocketChannel channel;
    private int lastId;

    private ControlClient(String name, SocketChannel channel) {
        this.name = name;
        this.channel = channel;
    }

    /**
     * Connects to the running cluster {@code name}. Throws {@link ExitCode#NO_SUCH_CLUSTER} or
     * {@link ExitCode#STALE} when it is not running, {@link ExitCode#FAILED} when its socket does not answer.
     */
    public static ControlClient connect(Registry registry, String name) {
        Entry e = registry.live(name);
        Path socket = Path.of(e.socket());
        try {
            SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
            ch.connect(UnixDomainSocketAddress.of(socket));
            return new ControlClient(name, ch);
        } catch (IOException x) {
            if (!Registry.alive(e)) {
                registry.removeFiles(name);
                throw new CliException(ExitCode.STALE, name + " is not running: its primary (pid " + e.pid()
                        + ") died, so its control socket was stale and was removed; start it again with 'jcluster start'");
            }
            throw new CliException(ExitCode.FAILED, "cannot reach the control socket of " + name + " at " + socket
                    + " (" + x.getMessage() + ") although its primary (pid " + e.pid() + ") runs; stop it with "
                    + "'kill " + e.pid() + "'");
        }
    }

    /** Sends a request and waits for its reply; progress frames go to {@code progress}. */
    public JsonNode request(String command, ObjectNode args, Consumer<JsonNode> progress, Duration timeout) {
        int id = ++lastId;
        ObjectNode req = JsonNodeFactory.instance.objectNode();
        req.put("id", id);
        req.put("command", command);
        req.set("args", args == null ? JsonNodeFactory.instance.objectNode() : args);
        Timer watchdog = null;
        if (timeout != null) {
            watchdog = new Timer("jcluster-client-timeout", true);
            watchdog.schedule(new TimerTask() {
                @Override
                public void run() {
                    try {
                        channel.close();
                    } catch (IOException e) {
                        // the read fails anyway
                    }
                }
            }, timeout.toMillis());
        }
        try {
            Frames.write(channel, req);
            for (;;) {
                JsonNode rep = Frames.read(channel);
                if (rep == null) {
                    throw new CliException(ExitCode.FAILED, "the primary of " + name + " closed the connection before "
                            + "answering '" + command + "' (did it die? 'jcluster ls' tells)");
                }
                if (rep.path("id").asInt(-1) != id) {
                    continue;
                }
                String status = rep.path("status").asText();
                if (status.equals("progress")) {
                    if (progress != null) {
                        progress.accept(rep.path("data"));
                    }
                } else if (status.equals("ok")) {
                    return rep.path("data");
                } else {
                    throw new ControlException(rep.path("error").asText("unknown error"), exitCode(rep.path("exit").asInt(-1)));
                }
            }
        } catch (AsynchronousCloseException e) {
            throw new CliException(ExitCode.TIMEOUT, "the primary of " + name + " did not answer '" + command
                    + "' within " + Units.formatDuration(timeout) + "; it may be busy: try again, or see 'jcluster logs "
                    + name + "'");
        } catch (IOException e) {
            throw new CliException(ExitCode.FAILED, "the control connection to " + name + " failed: " + e.getMessage());
        } finally {
            if (watchdog != null) {
                watchdog.cancel();
            }
        }
    }

    private static ExitCode exitCode(int code) {
        for (ExitCode e : ExitCode.values()) {
            if (e.code() == code && code > 0) { // never OK, nor RUNNING (-1, what a missing "exit" reads as)
                return e;
            }
        }
        return null;
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            // nothing to do
        }
    }
}
