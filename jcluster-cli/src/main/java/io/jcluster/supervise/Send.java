package io.jcluster.supervise;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcluster.control.ControlException;

/** Sends a message to every worker, or to one worker by id; the reply says how many it reached. */
final class Send {
    private final Fleet fleet;

    Send(Fleet fleet) {
        this.fleet = fleet;
    }

    /** {@code id} &lt; 0: every worker. */
    ObjectNode run(JsonNode message, int id) {
        if (id >= 0 && fleet.member(id) == null) {
            throw new ControlException("no worker " + id + " in " + fleet.name() + "; 'jcluster status " + fleet.name()
                    + "' lists them");
        }
        int sent = 0;
        for (Member m : fleet.all()) {
            if ((id < 0 || m.id == id) && m.worker.send(message)) {
                sent++;
            }
        }
        ObjectNode data = JsonNodeFactory.instance.objectNode();
        data.put("sent", sent);
        return data;
    }
}
