package io.jcluster.worker;

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
    private WorkerMain() {
    }

    public static void main(String[] args) throws Throwable {
        if (args.length == 0) {
            System.err.println("usage: WorkerMain MAIN_CLASS [ARGS...]");
            System.exit(2);
        }
        if (WorkerRuntime.current() == null) {
            System.err.println("WorkerMain runs inside a jcluster worker (started by a primary); "
                    + "run " + args[0] + " directly instead");
            System.exit(2);
        }
        Method main;
        try {
            main = Class.forName(args[0], false, Thread.currentThread().getContextClassLoader())
                    .getMethod("main", String[].class);
            if (!Modifier.isStatic(main.getModifiers())) {
                throw new NoSuchMethodException("main is not static");
            }
        } catch (ClassNotFoundException | NoSuchMethodException e) {
            System.err.println("jcluster worker: no main class " + args[0] + " (" + e.getMessage() + ")");
            System.exit(1);
            return;
        }
        try {
            main.invoke(null, (Object) Arrays.copyOfRange(args, 1, args.length));
        } catch (InvocationTargetException e) {
            System.err.println("jcluster worker: " + args[0] + ".main failed:");
            e.getCause().printStackTrace();
            System.exit(1);
        }
    }
}
