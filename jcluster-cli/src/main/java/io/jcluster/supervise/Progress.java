package io.jcluster.supervise;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.function.Consumer;

/** Where an operation reports its steps: the control socket's progress frames ({@code {phase, done, total, message}}). */
interface Progress extends Consumer<JsonNode> {
    Progress NONE = p -> { };

    default void report(String phase, int done, int total, String message) {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("phase", phase);
        n.put("done", done);
        n.put("total", total);
        n.put("message", message);
        accept(n);
    }

    static Progress to(Consumer<JsonNode> c) {
        return c::accept;
    }
}
