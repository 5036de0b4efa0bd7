import io.jcluster.http.App;
import java.util.Map;

/**
 * The balance benchmark's jcluster application: {@code GET /} answers at once, {@code GET /slow?ms=N} holds the
 * worker's event loop N ms first (a busy handler: nothing else on that worker is served meanwhile). Both answer
 * {@code {"pid":PID}}. Argument: the port.
 */
public final class SlowApp {
    private SlowApp() {
    }

    public static void main(String[] args) {
        long pid = ProcessHandle.current().pid();
        App app = App.create();
        app.get("/", (req, res) -> res.json(Map.of("pid", pid)));
        app.get("/slow", (req, res) -> {
            Thread.sleep(Long.parseLong(req.query("ms")));
            res.json(Map.of("pid", pid));
        });
        app.listen(Integer.parseInt(args[0]));
    }
}
