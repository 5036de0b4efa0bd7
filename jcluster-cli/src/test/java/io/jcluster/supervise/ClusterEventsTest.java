package io.jcluster.supervise;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ClusterEventsTest {
    @Test
    void keepsTheLastHundredOldestFirst() {
        ClusterEvents events = new ClusterEvents();
        for (int i = 0; i < 150; i++) {
            events.message("scale", "step " + i);
        }
        List<ClusterEvents.Event> kept = events.recent();
        assertThat(kept).hasSize(ClusterEvents.RING);
        assertThat(kept.get(0).json()).contains("\"step 50\"");
        assertThat(kept.get(99).json()).contains("\"step 149\"");
    }

    @Test
    void anEventIsOneLineOfJsonWithTypeAndTime() throws Exception {
        ClusterEvents events = new ClusterEvents();
        events.message("reload", "line one\nline two");
        ClusterEvents.Event e = events.recent().get(0);
        assertThat(e.type()).isEqualTo("reload");
        assertThat(e.json()).doesNotContain("\n");
        var n = new ObjectMapper().readTree(e.json());
        assertThat(n.get("type").asText()).isEqualTo("reload");
        assertThat(java.time.Instant.parse(n.get("time").asText())).isNotNull();
        assertThat(n.get("message").asText()).isEqualTo("line one\nline two");
    }

    @Test
    void aSubscriberGetsTheKeptEventsThenEachNewOneOnce() {
        ClusterEvents events = new ClusterEvents(3);
        events.message("scale", "a");
        events.message("scale", "b");
        List<String> live = new ArrayList<>();
        Consumer<ClusterEvents.Event> s = e -> live.add(e.json());
        List<ClusterEvents.Event> kept = events.subscribe(s);
        assertThat(kept).hasSize(2);
        events.message("scale", "c");
        events.message("scale", "d");
        assertThat(live).hasSize(2);
        assertThat(live.get(0)).contains("\"c\"");
        assertThat(events.recent()).hasSize(3); // the ring is bounded
        events.unsubscribe(s);
        events.message("scale", "e");
        assertThat(live).hasSize(2);
    }

    @Test
    void aFailingSubscriberIsDroppedAndThePublisherCarriesOn() {
        ClusterEvents events = new ClusterEvents();
        List<String> good = new ArrayList<>();
        events.subscribe(e -> {
            throw new IllegalStateException("broken");
        });
        events.subscribe(e -> good.add(e.type()));
        events.message("stopping", "x");
        events.message("stopping", "y");
        assertThat(good).containsExactly("stopping", "stopping");
    }
}
