package unmodified;

import java.util.concurrent.CountDownLatch;

/**
 * An application that knows nothing of jcluster and never serves: its main says so and waits forever, whatever
 * its arguments say (a server that is stuck before its bind, or a batch job started as a server by mistake).
 */
public final class NeverBindsApp {
    private NeverBindsApp() {
    }

    public static void main(String[] args) throws InterruptedException {
        System.out.println("never binding; args " + String.join(" ", args));
        new CountDownLatch(1).await();
    }
}
