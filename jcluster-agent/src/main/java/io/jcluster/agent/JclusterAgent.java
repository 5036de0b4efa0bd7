package io.jcluster.agent;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.nameMatches;
import static net.bytebuddy.matcher.ElementMatchers.none;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import io.jcluster.internal.Sockets;
import io.jcluster.worker.WorkerRuntime;
import java.lang.instrument.Instrumentation;
import java.lang.reflect.Field;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.DynamicType;
import net.bytebuddy.utility.JavaModule;

/**
 * jcluster's worker agent ({@code -javaagent}): in a worker the CLI started for an unmodified application, every
 * listening TCP socket the application binds is served by the primary. It connects the worker's links to the
 * primary before the application's main runs, then weaves {@link BindAdvice} into:
 * <ul>
 * <li>the JDK: {@code sun.nio.ch.ServerSocketChannelImpl.netBind} and a server {@code NioSocketImpl.bind}
 *     (every {@code ServerSocketChannel} and {@code ServerSocket}: Tomcat, Jetty, Undertow, the JDK's
 *     HttpServer, Netty's NIO transport) mark the scope; {@code sun.nio.ch.Net.bind} inside it is served;</li>
 * <li>Netty's native transports: the server channels' {@code doBind} (epoll, io_uring) mark the scope;
 *     {@code io.netty.channel.unix.Socket.bind} inside it is served.</li>
 * </ul>
 * Client sockets and UDP bind outside those scopes and are never touched. The accepts of the JDK's server
 * sockets and of Netty's epoll and io_uring transports are counted (status and metrics show connections taken).
 * Netty's io_uring accepts are made single-shot ({@link #fairIoUringAccepts}) so that every worker gets its share.
 *
 * <p>Where interception is impossible (the JDK's classes cannot be changed, the native library is missing) the
 * agent says why and ends the JVM with status {@value #EXIT_CANNOT_INTERCEPT} instead of letting the
 * application run unclustered.
 */
public final class JclusterAgent {
    /** The exit status of a worker whose binds cannot be intercepted. */
    public static final int EXIT_CANNOT_INTERCEPT = 70;

    private static final List<String> JDK_TYPES = List.of("sun.nio.ch.Net", "sun.nio.ch.ServerSocketChannelImpl",
            "sun.nio.ch.NioSocketImpl");

    private JclusterAgent() {
    }

    public static void premain(String args, Instrumentation inst) {
        if (!WorkerRuntime.inWorker()) {
            System.err.println("jcluster agent: this JVM is not a jcluster worker (no JCLUSTER_IPC in its environment); "
                    + "the application runs unclustered");
            return;
        }
        try {
            install(inst);
        } catch (RuntimeException | Error e) {
            System.err.println("jcluster agent: cannot serve this application's binds from the primary: " + e);
            e.printStackTrace();
            System.err.flush();
            Runtime.getRuntime().halt(EXIT_CANNOT_INTERCEPT);
        }
    }

    static void install(Instrumentation inst) {
        if (Sockets.UNAVAILABLE != null) {
            throw new IllegalStateException("jcluster's native socket library could not be loaded: " + Sockets.UNAVAILABLE);
        }
        // The hook reads the fd of the JDK's sockets: java.io opened to the agent only.
        Module base = Object.class.getModule();
        inst.redefineModule(base, Set.of(), Map.of(), Map.of("java.io", Set.of(JclusterAgent.class.getModule())),
                Set.of(), Map.of());
        Field fd;
        try {
            fd = java.io.FileDescriptor.class.getDeclaredField("fd");
            fd.setAccessible(true);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException("cannot read the JDK's socket fds", e);
        }
        for (String t : JDK_TYPES) {
            try {
                Class.forName(t, false, null);
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException("this JDK has no " + t + " (jcluster's agent knows JDK 17 to 25)", e);
            }
        }

        // No sun.misc.Unsafe in Byte Buddy (JDK 24+ warns about it; nothing here needs it). The shading rewrites
        // this name to the relocated Byte Buddy's, so an application's own Byte Buddy is not affected.
        System.setProperty("net.bytebuddy.safe", "true");

        fairIoUringAccepts(System.getProperties());
        WorkerRuntime.embedded();
        WorkerRuntime runtime = WorkerRuntime.current();
        System.getProperties().put(BindHook.KEY, new BindHook(runtime, fd));

        Transformed seen = new Transformed();
        // Netty's names are built at run time: the shading of the agent rewrites "io.netty" in string constants.
        String netty = String.join(".", "io", "netty");
        new AgentBuilder.Default()
                .disableClassFormatChanges()
                .with(AgentBuilder.RedefinitionStrategy.RETRANSFORMATION)
                .with(AgentBuilder.InitializationStrategy.NoOp.INSTANCE)
                .with(AgentBuilder.TypeStrategy.Default.REDEFINE)
                .with(seen)
                .ignore(none())
                .type(named("sun.nio.ch.Net"))
                .transform(advice(BindAdvice.JdkBind.class, named("bind").and(takesArguments(4))
                        .and(takesArgument(0, java.net.ProtocolFamily.class))))
                .type(named("sun.nio.ch.ServerSocketChannelImpl"))
                .transform(advice(BindAdvice.ServerScope.class, named("netBind").and(takesArguments(2))))
                .transform(advice(BindAdvice.ChannelAccept.class, named("accept").and(takesArguments(0))))
                .type(named("sun.nio.ch.NioSocketImpl"))
                .transform(advice(BindAdvice.NioSocketImplScope.class, named("bind").and(takesArguments(2))
                        .and(takesArgument(0, java.net.InetAddress.class))))
                .transform(advice(BindAdvice.SocketAccept.class, named("accept").and(takesArguments(1))
                        .and(takesArgument(0, java.net.SocketImpl.class))))
                .type(named(netty + ".channel.unix.Socket"))
                .transform(advice(BindAdvice.NettyBind.class, named("bind").and(takesArguments(1))
                        .and(takesArgument(0, java.net.SocketAddress.class))))
                .transform(advice(BindAdvice.NettyAccept.class, named("accept").and(takesArguments(1))
                        .and(takesArgument(0, byte[].class))))
                .type(named(netty + ".channel.epoll.Native"))
                .transform(advice(BindAdvice.EpollCtlMod.class, named("epollCtlMod").and(takesArguments(3))))
                .type(nameMatches(netty.replace(".", "\\.")
                        + "\\.(incubator\\.)?channel\\.(epoll|uring)\\.[A-Za-z]*ServerSocketChannel"))
                .transform(advice(BindAdvice.ServerScope.class, named("doBind").and(takesArguments(1))))
                .type(nameMatches(netty.replace(".", "\\.")
                        + "\\.(incubator\\.)?channel\\.uring\\.[A-Za-z]*ServerSocketChannel"))
                .transform(advice(BindAdvice.UringAccept.class, named("newChildChannel")
                        .and(takesArgument(0, int.class))))
                .installOn(inst);
        seen.check(JDK_TYPES);
    }

    /** Netty's switch for the io_uring transport's multishot accept (its name built at run time, as above). */
    static final String IO_URING_MULTISHOT_ACCEPT = String.join(".", "io", "netty") + ".iouring.acceptMultiShotEnabled";

    /**
     * Netty 4.2's io_uring transport accepts with one multishot accept (kernel 5.19+) by default: it stays armed on
     * the listening socket as an exclusive waiter, and the kernel wakes only the first exclusive waiter of a socket
     * for each new connection. On a socket shared by the workers, the worker whose accept was armed first then takes
     * every connection, for as long as it lives (frameworks/FINDINGS.md F5). A single-shot accept leaves the wait
     * queue when it fires and is armed again behind the others, so the workers take turns. Set before the
     * application's main (Netty reads it once, when its io_uring support loads); a value the user gave is kept.
     */
    static void fairIoUringAccepts(java.util.Properties properties) {
        properties.putIfAbsent(IO_URING_MULTISHOT_ACCEPT, "false");
    }

    private static AgentBuilder.Transformer advice(Class<?> advice,
                                                   net.bytebuddy.matcher.ElementMatcher<? super net.bytebuddy.description.method.MethodDescription> where) {
        return (builder, type, loader, module, domain) -> builder.visit(Advice.to(advice).on(where));
    }

    /** Which types were woven, and the first error: the JDK's three must be woven or the agent gives up. */
    static final class Transformed extends AgentBuilder.Listener.Adapter {
        private final Set<String> done = ConcurrentHashMap.newKeySet();
        private volatile Throwable error;
        private volatile String errorType;

        @Override
        public void onTransformation(TypeDescription type, ClassLoader loader, JavaModule module, boolean loaded,
                                     DynamicType dynamicType) {
            done.add(type.getName());
        }

        @Override
        public void onError(String typeName, ClassLoader loader, JavaModule module, boolean loaded, Throwable t) {
            if (error == null) {
                errorType = typeName;
                error = t;
            }
            System.err.println("jcluster agent: cannot weave the bind interception into " + typeName + ": " + t);
        }

        void check(List<String> required) {
            if (error != null && required.contains(errorType)) {
                throw new IllegalStateException("cannot change " + errorType, error);
            }
            for (String t : required) {
                if (!done.contains(t)) {
                    throw new IllegalStateException("the bind interception was not woven into " + t);
                }
            }
        }
    }
}
