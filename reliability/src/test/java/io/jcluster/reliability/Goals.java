package io.jcluster.reliability;

import static org.assertj.core.api.Assertions.assertThat;

/** Asserts that a scenario met every goal, with all its figures in the message (and on stdout). */
final class Goals {
    private Goals() {
    }

    static void assertMet(Outcome o) {
        System.out.println(o.text());
        assertThat(o.missed()).as("missed goals of %s%n%s", o.scenario(), o.text()).isEmpty();
    }

    static Form form() {
        return Form.fromProperty();
    }
}
