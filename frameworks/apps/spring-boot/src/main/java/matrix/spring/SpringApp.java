package matrix.spring;

import java.util.Map;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** A Spring Boot web app as `start.spring.io` makes one; run with --server.port=P. */
@SpringBootApplication
@RestController
public class SpringApp {
    private static final long PID = ProcessHandle.current().pid();

    public static void main(String[] args) {
        SpringApplication.run(SpringApp.class, args);
    }

    @GetMapping("/")
    public Map<String, Object> root() {
        return Map.of("pid", PID, "framework", "spring-boot");
    }

    @GetMapping("/slow")
    public Map<String, Object> slow(@RequestParam(name = "ms", defaultValue = "100") long ms) throws InterruptedException {
        Thread.sleep(ms);
        return Map.of("pid", PID, "slept", ms);
    }
}
