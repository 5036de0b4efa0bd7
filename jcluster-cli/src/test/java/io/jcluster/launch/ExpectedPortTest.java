package io.jcluster.launch;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ExpectedPortTest {
    @Test
    void theCommonWaysOfNamingAPortAreFound() {
        assertThat(ExpectedPort.of(List.of("--server.port=8080"), List.of(), Map.of()))
                .isEqualTo("port 8080 (--server.port=8080)");
        assertThat(ExpectedPort.of(List.of("--verbose", "--port", "9000"), List.of(), Map.of()))
                .isEqualTo("port 9000 (--port 9000)");
        assertThat(ExpectedPort.of(List.of(), List.of("-Xmx256m", "-Dquarkus.http.port=8181"), Map.of()))
                .isEqualTo("port 8181 (-Dquarkus.http.port=8181)");
        assertThat(ExpectedPort.of(List.of(), List.of(), Map.of("PORT", "3000"))).isEqualTo("port 3000 (PORT=3000)");
    }

    @Test
    void nothingNamedIsNull() {
        assertThat(ExpectedPort.of(List.of("--port"), List.of("-Dserver.port=abc"), Map.of("PORT", "x"))).isNull();
        assertThat(ExpectedPort.of(List.of(), List.of(), Map.of())).isNull();
    }
}
