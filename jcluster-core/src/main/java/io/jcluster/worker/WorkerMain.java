package io.jcluster.worker;

import io.jcluster.cluster.BootFailure;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Arrays;

/**
 * Runs any application's main in a worker: {@code WorkerMain MAIN_CLASS [ARGS...]}. It connects to the
 * primary first (so the worker is online before the application starts), then calls the application's
 * {@code main}; its {@code listen} calls are shared by the primary. A main that throws ends the worker with
 * status 1 and the cause printed, so the primary's restart policy sees a boot failure.
 */
public final class WorkerMain {
    /** Exit status of a main that threw (as the {@code java} launcher's). */
    public static final int EXIT_MAIN_THREW = 1;
    /** Exit status of a call without a main class, or outside a worker. */
    public static final int EXIT_USAGE = 2;
    /** Exit status when the main class does not exist or has no static main. */
    public static final int EXIT_NO_MAIN_CLASS = 3;

    private WorkerMain() {
    }

    public static void main(String[] args) throws Throwable {
        if (args.length == 0) {
            System.err.println("usage: WorkerMain MAIN_CLASS [ARGS...]");
            System.exit(EXIT_USAGE);
        }
        if (WorkerRuntime.current() == null) {
            System.err.println("WorkerMain runs inside a jcluster worker (started by a primary); "
                    + "run " + args[0] + " directly instead");
            System.exit(EXIT_USAGE);
        }
        Method main;
        try {
            main = Class.forName(args[0], false, Thread.currentThread().getContextClassLoader())
                    .getMethod("main", String[].class);
            if (!Modifier.isStatic(main.getModifiers())) {
                throw new NoSuchMethodException("main is not static");
            }
        } catch (ClassNotFoundException | NoSuchMethodException | LinkageError e) {
            System.err.println("jcluster worker: no main class " + args[0] + " (" + e + ")");
            WorkerRuntime.current().bootFailed(BootFailure.Cause.NO_MAIN_CLASS, args[0] + " (" + e + ")");
            System.exit(EXIT_NO_MAIN_CLASS);
            return;
        }
        try {
            main.invoke(null, (Object) Arrays.copyOfRange(args, 1, args.length));
        } catch (InvocationTargetException e) {
            System.err.println("jcluster worker: " + args[0] + ".main failed:");
            e.getCause().printStackTrace();
            if (!WorkerRuntime.current().worker().listening().isDone()) {
                WorkerRuntime.current().bootFailed(BootFailure.Cause.MAIN_THREW, args[0] + ".main threw " + e.getCause());
            }
            System.exit(EXIT_MAIN_THREW);
        }
    }
}
