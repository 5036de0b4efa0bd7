package io.jcluster.cli;

import io.jcluster.launch.Application;
import io.jcluster.launch.StartSpec;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import static org.assertj.core.api.Assertions.assertThat;

/** How {@code start} reads its arguments. */
class StartArgsTest {
    private static StartCommand parse(String... args) {
        CommandLine cl = new CommandLine(new Main());
        CommandLine.ParseResult r = cl.parseArgs(args);
        return (StartCommand) r.subcommand().commandSpec().userObject();
    }

    @Test
    void argumentsAfterDashDashGoToTheApplication() {
        StartCommand c = parse("start", "app.jar", "-i", "3", "--", "--port", "8080", "-v");
        assertThat(c.positional).containsExactly("app.jar", "--port", "8080", "-v");
        assertThat(c.instances).isEqualTo("3");
        StartCommand m = parse("start", "--main-class", "a.Main", "--", "--port", "1");
        assertThat(m.positional).containsExactly("--port", "1");
        assertThat(m.mainClass).isEqualTo("a.Main");
    }

    @Test
    void negatableAndUnsetFlags() {
        assertThat(parse("start", "x.jar", "--no-autorestart").autorestart).isFalse();
        assertThat(parse("start", "x.jar").autorestart).isNull();
        assertThat(parse("start", "x.jar", "--daemon").daemon).isTrue();
    }

    @Test
    void defaultNames() {
        StartSpec s = new StartSpec();
        s.jar = Path.of("/srv/My Service-1.2.jar");
        assertThat(StartCommand.defaultName(s, new Application("x.Y", "", List.of(), "x"))).isEqualTo("my-service-1.2");
        assertThat(StartCommand.defaultName(new StartSpec(), new Application("com.acme.WebApp", "", List.of(), "x")))
                .isEqualTo("webapp");
    }

    @Test
    void balanceIsAFlagAndAConfigKeyWithItsChoicesInTheError() {
        assertThat(parse("start", "x.jar", "--balance", "sticky").balance).isEqualTo("sticky");
        StartSpec s = new StartSpec();
        assertThat(s.balance).isEqualTo(io.jcluster.cluster.Balance.RR);
        s.set("balance", com.fasterxml.jackson.databind.node.TextNode.valueOf("least-connections"), Path.of("."), "--balance");
        assertThat(s.balance).isEqualTo(io.jcluster.cluster.Balance.LEAST_CONNECTIONS);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> s.set("balance",
                        com.fasterxml.jackson.databind.node.TextNode.valueOf("random"), Path.of("."), "--balance"))
                .isInstanceOf(io.jcluster.contract.CliException.class)
                .hasMessage("bad value for --balance: unknown balance 'random': choose one of rr, least-connections, sticky");
    }
}
